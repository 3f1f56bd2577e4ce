// A request head as the endpoint reads it: Beast's parser with the endpoint's limits, then the
// endpoint's own reading of it (the route and version, and the binary tensor split the
// Inference-Header-Content-Length header asks for).
#include "app/serve/binarytensor.h"
#include "app/serve/servingroute.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http::request_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(1 << 20);
    parser.eager(true);
    boost::beast::error_code error;
    parser.put(boost::asio::buffer(data, size), error);
    if (!parser.is_header_done()) {
        return 0;
    }
    const auto &message = parser.get();
    const std::string target(message.target());
    const digitdesk::app::ServingRoute route =
        digitdesk::app::routeOf(target.substr(0, target.find('?')));
    (void)route.isProbe();
    if (parser.is_done()) {
        digitdesk::app::BinaryBody split;
        std::string why;
        digitdesk::app::splitBinaryBody(std::string(message["Inference-Header-Content-Length"]),
                                        message.body(), &split, &why);
    }
    return 0;
}
