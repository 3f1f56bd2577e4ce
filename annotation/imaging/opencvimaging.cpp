// The OpenCV halves of ImageNormalizer and of the dataset PNG codec. The plain checks (headers,
// sizes, limits) stay in annotation/, so that a refused image never loads OpenCV.
#include "annotation/imaging/opencvimaging.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace digitdesk::annotation::detail {
namespace {

constexpr int FitSide = 20;
constexpr int MinContrast = 32;

NormalizedImage failure(const QString &reason)
{
    NormalizedImage result;
    result.error = reason;
    return result;
}

int medianOf(const cv::Mat &gray)
{
    int histogram[256] = {};
    for (int y = 0; y < gray.rows; ++y) {
        const uchar *row = gray.ptr<uchar>(y);
        for (int x = 0; x < gray.cols; ++x) {
            ++histogram[row[x]];
        }
    }
    const qint64 half = (static_cast<qint64>(gray.total()) + 1) / 2;
    qint64 seen = 0;
    for (int value = 0; value < 256; ++value) {
        seen += histogram[value];
        if (seen >= half) {
            return value;
        }
    }
    return 255;
}

cv::Mat toGray8(const cv::Mat &decoded)
{
    cv::Mat image = decoded;
    if (image.depth() != CV_8U) {
        cv::Mat scaled;
        const double scale = image.depth() == CV_16U ? 1.0 / 257.0 : 1.0;
        image.convertTo(scaled, CV_MAKETYPE(CV_8U, image.channels()), scale);
        image = scaled;
    }
    cv::Mat gray;
    switch (image.channels()) {
    case 1:
        gray = image;
        break;
    case 3:
        cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
        break;
    case 4: {
        // Transparent paper is paper: composite onto white before anything else.
        cv::Mat colour;
        cv::cvtColor(image, colour, cv::COLOR_BGRA2GRAY);
        std::vector<cv::Mat> planes;
        cv::split(image, planes);
        cv::Mat alpha;
        planes[3].convertTo(alpha, CV_32F, 1.0 / 255.0);
        cv::Mat ink;
        colour.convertTo(ink, CV_32F);
        cv::Mat composite = ink.mul(alpha) + (1.0 - alpha) * 255.0;
        composite.convertTo(gray, CV_8U);
        break;
    }
    default:
        break;
    }
    return gray;
}

NormalizedImage normalizeGrayImage(const cv::Mat &source)
{
    NormalizedImage result;
    cv::Mat gray = source;
    int background = medianOf(gray);
    if (background > 127) {
        cv::Mat inverted;
        cv::bitwise_not(gray, inverted);
        gray = inverted;
        background = 255 - background;
        result.inverted = true;
    }
    double maxValue = 0;
    cv::minMaxLoc(gray, nullptr, &maxValue);
    if (maxValue - background < MinContrast) {
        return failure(
            QStringLiteral("no ink found: the image is blank or has too little contrast"));
    }
    cv::Mat stretched;
    const double alpha = 255.0 / (maxValue - background);
    gray.convertTo(stretched, CV_8U, alpha, -background * alpha);

    cv::Mat mask;
    cv::threshold(stretched, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    std::vector<cv::Point> ink;
    cv::findNonZero(mask, ink);
    if (ink.empty()) {
        return failure(QStringLiteral("no ink found: the image is blank"));
    }
    const cv::Rect box = cv::boundingRect(ink);
    const cv::Mat crop = stretched(box);

    const double scale = static_cast<double>(FitSide) / std::max(box.width, box.height);
    const int fittedWidth =
        std::clamp(static_cast<int>(std::lround(box.width * scale)), 1, FitSide);
    const int fittedHeight =
        std::clamp(static_cast<int>(std::lround(box.height * scale)), 1, FitSide);
    cv::Mat fitted;
    cv::resize(crop, fitted, cv::Size(fittedWidth, fittedHeight), 0, 0,
               scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);

    const cv::Moments moments = cv::moments(fitted, false);
    if (moments.m00 <= 0) {
        return failure(QStringLiteral("no ink found after resizing"));
    }
    const int centre = NormalizedImage::Side / 2;
    const int left = static_cast<int>(std::lround(centre - moments.m10 / moments.m00));
    const int top = static_cast<int>(std::lround(centre - moments.m01 / moments.m00));

    cv::Mat out = cv::Mat::zeros(NormalizedImage::Side, NormalizedImage::Side, CV_8U);
    const cv::Rect placed(left, top, fitted.cols, fitted.rows);
    const cv::Rect visible = placed & cv::Rect(0, 0, out.cols, out.rows);
    fitted(cv::Rect(visible.x - left, visible.y - top, visible.width, visible.height))
        .copyTo(out(visible));

    result.pixels =
        QByteArray(reinterpret_cast<const char *>(out.data), NormalizedImage::PixelCount);
    return result;
}

class OpenCvImaging final : public ImagingBackend
{
public:
    NormalizedImage normalizeEncoded(const QByteArray &bytes, const QString &format) override
    {
        const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U,
                             const_cast<char *>(bytes.constData()));
        cv::Mat decoded;
        try {
            decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH);
        } catch (const cv::Exception &error) {
            return failure(QStringLiteral("cannot decode %1: %2")
                               .arg(format.toUpper(), QString::fromStdString(error.msg)));
        }
        if (decoded.empty()) {
            return failure(QStringLiteral("cannot decode %1: corrupt or truncated image data")
                               .arg(format.toUpper()));
        }
        // A 28x28 grayscale image on dark paper is in MNIST form already (an exported dataset
        // version, say): kept as it is, as IDX and CSV rows are, so a round trip is exact.
        if (decoded.type() == CV_8UC1 && decoded.rows == NormalizedImage::Side &&
            decoded.cols == NormalizedImage::Side && decoded.isContinuous() &&
            medianOf(decoded) <= 127) {
            NormalizedImage result;
            result.pixels = QByteArray(reinterpret_cast<const char *>(decoded.data),
                                       NormalizedImage::PixelCount);
            return result;
        }
        const cv::Mat gray = toGray8(decoded);
        if (gray.empty()) {
            return failure(QStringLiteral("unsupported %1 with %2 channels")
                               .arg(format.toUpper())
                               .arg(decoded.channels()));
        }
        return normalizeGrayImage(gray);
    }

    NormalizedImage normalizeGray(const unsigned char *data, int width, int height,
                                  int stride) override
    {
        const cv::Mat gray(height, width, CV_8U, const_cast<unsigned char *>(data),
                           static_cast<size_t>(stride));
        return normalizeGrayImage(gray);
    }

    QByteArray encodeDatasetPng(const QByteArray &pixels) override
    {
        constexpr int Side = NormalizedImage::Side;
        const cv::Mat image(Side, Side, CV_8U, const_cast<char *>(pixels.constData()));
        // Every parameter pinned: the bytes must not depend on OpenCV's defaults of the day.
        const std::vector<int> parameters = {cv::IMWRITE_PNG_COMPRESSION, 9,
                                             cv::IMWRITE_PNG_STRATEGY,
                                             cv::IMWRITE_PNG_STRATEGY_DEFAULT};
        std::vector<uchar> bytes;
        if (!cv::imencode(".png", image, bytes, parameters)) {
            throw std::runtime_error("OpenCV could not encode a 28x28 PNG");
        }
        return QByteArray(reinterpret_cast<const char *>(bytes.data()),
                          static_cast<qsizetype>(bytes.size()));
    }

    QByteArray decodeDatasetPng(const QByteArray &png, QString *error) override
    {
        const cv::Mat buffer(1, static_cast<int>(png.size()), CV_8U,
                             const_cast<char *>(png.constData()));
        cv::Mat decoded;
        try {
            decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
        } catch (const cv::Exception &exception) {
            *error = QStringLiteral("cannot decode: %1").arg(QString::fromStdString(exception.msg));
            return {};
        }
        if (decoded.empty()) {
            *error = QStringLiteral("cannot decode: corrupt or truncated PNG");
            return {};
        }
        if (decoded.type() != CV_8UC1 || decoded.rows != NormalizedImage::Side ||
            decoded.cols != NormalizedImage::Side) {
            *error = QStringLiteral("not an 8-bit grayscale 28 x 28 image");
            return {};
        }
        const cv::Mat continuous = decoded.isContinuous() ? decoded : decoded.clone();
        return QByteArray(reinterpret_cast<const char *>(continuous.data),
                          NormalizedImage::PixelCount);
    }

    QString opencvVersion() override { return QString::fromStdString(cv::getVersionString()); }
};

} // namespace

ImagingBackend &opencvImaging()
{
    static OpenCvImaging backend;
    return backend;
}

} // namespace digitdesk::annotation::detail
