#pragma once

#include <string>

namespace digitdesk::app {

// GET /openapi.json: an OpenAPI 3 description of every route the endpoint answers, with the
// KServe v2 protocol's schemas.
const std::string &openApiDocument();

} // namespace digitdesk::app
