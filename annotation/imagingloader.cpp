#include "annotation/private/imagingbackend.h"

#include "models/lazymodule.h"

namespace digitdesk::annotation::detail {

ImagingBackend &imaging()
{
    static models::LazyModule module("OpenCV", "libdigitdesk_imaging.so",
                                     "DIGITDESK_IMAGING_MODULE", "digitdesk_imaging_backend",
                                     ImagingAbi);
    return *static_cast<ImagingBackend *>(module.interface());
}

} // namespace digitdesk::annotation::detail
