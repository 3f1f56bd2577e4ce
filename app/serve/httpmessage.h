#pragma once

#include <functional>
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

} // namespace digitdesk::app
