#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace digitdesk::app {

// A parsed request as the endpoint's handlers see it (no HTTP library types past the server).
struct HttpRequest
{
    std::string method;
    std::string target; // path and query
    std::string contentType;
    std::string authorization;
    // Triton's binary tensor data extension: the length of the JSON at the body's start, as
    // sent (checked where the body is parsed); empty when the header is absent.
    std::string inferenceHeaderLength;
    std::string body;
    bool fromLoopback = true;
};

struct HttpResponse
{
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// Answers may come from any thread, once.
using Responder = std::function<void(HttpResponse)>;
using RequestHandler = std::function<void(HttpRequest, Responder)>;
// Sees a request's head (the body not read yet) and may answer it at once: an unknown path
// or a missing token costs the server no body bytes.
using Preflight = std::function<std::optional<HttpResponse>(const HttpRequest &head)>;

} // namespace digitdesk::app
