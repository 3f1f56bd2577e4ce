#pragma once

// A real `digitdesk serve` whose production model answers 7 for every image with a confidence
// of about 1 (sure7.pt from tests/fixtures/make_served_models.py), for the tests that hold the
// endpoint to the KServe v2 protocol and its OpenAPI document. Header-only, like signoff.h.

#include "annotation/modelregistry.h"
#include "tests/support/httpclient.h"
#include "tests/support/servedmodels.h"
#include "tests/support/servefixture.h"
#include "tests/support/signoff.h"
#include "tests/support/testdata.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <cstring>

namespace digitdesk::testing {

class ServedSure7 final
{
    TempWorkspace m_temp; // first: removed only after the server has ended

public:
    // False with `why` when the models could not be made or the endpoint did not start.
    bool start(QString *why)
    {
        const annotation::Principal engineer =
            addUser(*m_temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
        const QString sure7 = QStringLiteral("sure7.pt");
        version = importServedModels(*m_temp.workspace, engineer,
                                     m_temp.dir.path() + QStringLiteral("/models"), {sure7})
                      .value(sure7);
        if (version == 0) {
            *why = QStringLiteral("make_served_models.py failed");
            return false;
        }
        annotation::ModelRegistry registry(m_temp.workspace->db(), m_temp.workspace->root());
        waiveSignOff(*m_temp.workspace);
        registry.moveAlias(engineer, annotation::ProductionAlias, version, QStringLiteral("test"));
        if (!serve.start(m_temp.folder())) {
            *why = QStringLiteral("digitdesk serve did not start: ") + serve.log();
            return false;
        }
        return true;
    }

    ServeProcess serve;
    qint64 version = 0; // production's registry id
};

// A body under Triton's binary tensor data extension: the JSON request, then the tensor bytes;
// send `headerLength` as Inference-Header-Content-Length.
struct BinaryRequest
{
    QByteArray body;
    QByteArray headerLength;
    QList<QPair<QByteArray, QByteArray>> headers() const
    {
        return {{"Inference-Header-Content-Length", headerLength}};
    }
};

inline BinaryRequest binaryRequest(const QByteArray &json, const QByteArray &tensor)
{
    return {json + tensor, QByteArray::number(json.size())};
}

// `count` images of 784 FP32 pixels, each `value`, little-endian as the extension says.
inline QByteArray fp32Pixels(int count, float value)
{
    QByteArray bytes;
    bytes.reserve(count * 784 * 4);
    char raw[4];
    std::memcpy(raw, &value, 4);
    for (int i = 0; i < count * 784; ++i) {
        bytes.append(raw, 4);
    }
    return bytes;
}

// `count` images as the JSON header of a binary request for one input `input` of shape
// [count,784]; `rest` is more members of the request (",\"outputs\":[...]").
inline QByteArray binaryHeader(int count, const QByteArray &datatype, const QByteArray &rest = {})
{
    const int width = datatype == "FP32" ? 4 : 1;
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":[" + QByteArray::number(count) +
           ",784],\"datatype\":\"" + datatype +
           "\",\"parameters\":{\"binary_data_size\":" + QByteArray::number(count * 784 * width) +
           "}}]" + rest + "}";
}

// A binary answer's JSON header and the bytes after it; false when the answer is not one.
inline bool splitBinaryAnswer(const HttpAnswer &answer, QJsonObject *header, QByteArray *tail)
{
    bool ok = false;
    const qsizetype length = answer.header("Inference-Header-Content-Length").toLongLong(&ok);
    if (!ok || length > answer.body.size()) {
        return false;
    }
    *header = QJsonDocument::fromJson(answer.body.left(length)).object();
    *tail = answer.body.mid(length);
    return !header->isEmpty();
}

} // namespace digitdesk::testing
