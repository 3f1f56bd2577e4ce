#include "tests/bench/servebodies.h"

#include "annotation/idxfile.h"
#include "tests/support/testfiles.h"

#include <opencv2/imgcodecs.hpp>

namespace digitdesk::bench {

Bodies makeBodies()
{
    const annotation::IdxArray images = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    Bodies bodies;
    std::vector<std::string> base64;
    bodies.pixels = images.data.left(qsizetype{SampleCount} * 784);
    for (int i = 0; i < SampleCount; ++i) {
        const auto *pixels = reinterpret_cast<const uchar *>(images.data.constData()) +
                             static_cast<ptrdiff_t>(i) * 784;
        cv::Mat image(28, 28, CV_8UC1, const_cast<uchar *>(pixels));
        std::vector<uchar> png;
        cv::imencode(".png", image, png);
        bodies.pngs.emplace_back(png.begin(), png.end());
        base64.push_back(QByteArray(reinterpret_cast<const char *>(png.data()),
                                    static_cast<qsizetype>(png.size()))
                             .toBase64()
                             .toStdString());
        std::string data;
        for (int p = 0; p < 784; ++p) {
            if (p > 0) {
                data += ',';
            }
            data += std::to_string(pixels[p]);
        }
        bodies.tensors.push_back("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],"
                                 "\"datatype\":\"UINT8\",\"data\":[" +
                                 data + "]}]}");
    }
    bodies.pngBatch = "{\"images\":[";
    std::string batchData;
    for (int i = 0; i < 1000; ++i) {
        if (i > 0) {
            bodies.pngBatch += ',';
            batchData += ',';
        }
        bodies.pngBatch.append("\"")
            .append(base64[static_cast<size_t>(i % SampleCount)])
            .append("\"");
        const std::string &one = bodies.tensors[static_cast<size_t>(i % SampleCount)];
        const size_t open = one.find("\"data\":[") + 8;
        batchData += one.substr(open, one.rfind("]}]}") - open);
    }
    bodies.pngBatch += "]}";
    bodies.tensorBatch = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1000,784],\"datatype\":"
                         "\"UINT8\",\"data\":[" +
                         batchData + "]}]}";
    return bodies;
}

Post splitRequest(const std::string &request)
{
    Post post;
    const size_t space = request.find(' ');
    post.path = request.substr(space + 1, request.find(' ', space + 1) - space - 1);
    const size_t type = request.find("Content-Type: ") + 14;
    post.contentType = request.substr(type, request.find("\r\n", type) - type);
    post.body = request.substr(request.find("\r\n\r\n") + 4);
    return post;
}

} // namespace digitdesk::bench
