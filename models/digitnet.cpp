// DigitDesk's own network: three small convolutions with batch norm, max-pooling early so
// the expensive layers see 14x14 and 7x7 maps, dropout before a single linear layer. About
// 2.7 MFLOP per image: tens of thousands of images per second on two CPU cores.
#include "models/private/classifier.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/serialize.h>

namespace digitdesk::models::detail {
namespace {

namespace F = torch::nn::functional;

struct DigitNetImpl : torch::nn::Module
{
    DigitNetImpl()
        : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 16, 5).padding(2).bias(false)))),
          bn1(register_module("bn1", torch::nn::BatchNorm2d(16))),
          conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 3).padding(1).bias(false)))),
          bn2(register_module("bn2", torch::nn::BatchNorm2d(32))),
          conv3(register_module("conv3", torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 48, 3).padding(1).bias(false)))),
          bn3(register_module("bn3", torch::nn::BatchNorm2d(48))),
          dropout(register_module("dropout", torch::nn::Dropout(0.25))),
          fc(register_module("fc", torch::nn::Linear(48 * 3 * 3, 10)))
    {
    }

    torch::Tensor forward(torch::Tensor x)
    {
        x = F::max_pool2d(F::relu(bn1(conv1(x))), F::MaxPool2dFuncOptions(2)); // 16 x 14 x 14
        x = F::max_pool2d(F::relu(bn2(conv2(x))), F::MaxPool2dFuncOptions(2)); // 32 x 7 x 7
        x = F::max_pool2d(F::relu(bn3(conv3(x))), F::MaxPool2dFuncOptions(2)); // 48 x 3 x 3
        return fc(dropout(x.flatten(1)));
    }

    torch::nn::Conv2d conv1;
    torch::nn::BatchNorm2d bn1;
    torch::nn::Conv2d conv2;
    torch::nn::BatchNorm2d bn2;
    torch::nn::Conv2d conv3;
    torch::nn::BatchNorm2d bn3;
    torch::nn::Dropout dropout;
    torch::nn::Linear fc;
};
TORCH_MODULE(DigitNet);

// PyTorch's example MNIST network (pytorch/examples mnist, and ../shared/peers/make_model.py).
struct ExampleNetImpl : torch::nn::Module
{
    ExampleNetImpl()
        : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 32, 3)))),
          conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 64, 3)))),
          fc1(register_module("fc1", torch::nn::Linear(9216, 128))),
          fc2(register_module("fc2", torch::nn::Linear(128, 10)))
    {
    }

    torch::Tensor forward(torch::Tensor x)
    {
        x = F::relu(conv1(x));
        x = F::max_pool2d(F::relu(conv2(x)), F::MaxPool2dFuncOptions(2));
        x = F::relu(fc1(x.flatten(1)));
        return fc2(x);
    }

    torch::nn::Conv2d conv1;
    torch::nn::Conv2d conv2;
    torch::nn::Linear fc1;
    torch::nn::Linear fc2;
};
TORCH_MODULE(ExampleNet);

template <typename Net>
class NativeClassifier final : public Classifier
{
public:
    explicit NativeClassifier(Architecture architecture) : m_architecture(architecture) {}

    at::Tensor forward(const at::Tensor &input) override { return m_net->forward(input); }
    torch::nn::Module *trainable() override { return m_net.ptr().get(); }
    void setTraining(bool training) override { m_net->train(training); }
    void moveToCuda() override { m_net->to(torch::kCUDA); }
    void save(const std::string &path) override { torch::save(m_net, path); }
    Architecture architecture() const override { return m_architecture; }
    void load(const std::string &path) { torch::load(m_net, path); }

private:
    Net m_net;
    Architecture m_architecture;
};

} // namespace

std::unique_ptr<Classifier> makeDigitNet()
{
    return std::make_unique<NativeClassifier<DigitNet>>(Architecture::DigitNet);
}

std::unique_ptr<Classifier> makeExampleNet()
{
    return std::make_unique<NativeClassifier<ExampleNet>>(Architecture::ExampleNet);
}

std::unique_ptr<Classifier> loadNative(const std::string &path, Architecture architecture)
{
    if (architecture == Architecture::DigitNet) {
        auto classifier = std::make_unique<NativeClassifier<DigitNet>>(architecture);
        classifier->load(path);
        return classifier;
    }
    auto classifier = std::make_unique<NativeClassifier<ExampleNet>>(architecture);
    classifier->load(path);
    return classifier;
}

} // namespace digitdesk::models::detail
