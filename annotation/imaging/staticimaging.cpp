// imaging() bound to the OpenCV code compiled into the same binary, for the fuzz targets, which
// build the parsers from their sources and link OpenCV themselves.
#include "annotation/imaging/opencvimaging.h"

namespace digitdesk::annotation::detail {

ImagingBackend &imaging()
{
    return opencvImaging();
}

} // namespace digitdesk::annotation::detail
