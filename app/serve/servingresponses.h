#pragma once

#include "app/serve/httpmessage.h"
#include "app/serve/jsontext.h"

#include <chrono>
#include <string>
#include <string_view>

namespace digitdesk::app {

inline HttpResponse answer(int status, std::string body)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

inline HttpResponse failure(int status, std::string_view message)
{
    return answer(status, json::error(message));
}

inline std::chrono::microseconds elapsed(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 since);
}

} // namespace digitdesk::app
