// ServingApi's admission of /v1/predict's images: the per-request and per-second budgets of
// decoded pixels and the queue's room, checked from the images' headers before any is decoded.
#include "app/serve/decodebudget.h"
#include "app/serve/servingapi.h"
#include "app/serve/servingresponses.h"
#include "models/dynamicbatcher.h"

namespace digitdesk::app {

HttpResponse ServingApi::queueFull() const
{
    HttpResponse response =
        failure(503, "the queue is full (" + std::to_string(m_parts.batcher.pending()) +
                         " requests waiting); retry shortly");
    response.headers.emplace_back("Retry-After", "1");
    return response;
}

InferenceInput ServingApi::readImages(const HttpRequest &request,
                                      std::optional<HttpResponse> *refusal)
{
    InferenceInput input =
        readImageRequest(request.contentType, request.body, m_parts.maxDecodedPixels);
    if (!input.ok()) {
        *refusal = failure(input.refusal, input.error);
        return input;
    }
    if (m_parts.decodeBudget != nullptr) {
        const std::chrono::seconds wait = m_parts.decodeBudget->take(input.decodedPixels);
        if (wait.count() > 0) {
            *refusal = failure(503, "the endpoint decodes at most " +
                                        std::to_string(m_parts.decodeBudget->pixelsPerSecond()) +
                                        " pixels a second, and this request's images hold " +
                                        std::to_string(input.decodedPixels) + "; retry in " +
                                        std::to_string(wait.count()) + " s");
            (*refusal)->headers.emplace_back("Retry-After", std::to_string(wait.count()));
            return input;
        }
    }
    if (m_parts.batcher.full()) { // it may have filled while the headers were read
        *refusal = queueFull();
        return input;
    }
    decodeImages(input);
    if (!input.ok()) {
        *refusal = failure(400, input.error);
    }
    return input;
}

} // namespace digitdesk::app
