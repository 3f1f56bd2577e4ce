#include "annotation/imaging/opencvimaging.h"

void *digitdesk_imaging_backend(int abi)
{
    if (abi != digitdesk::annotation::detail::ImagingAbi) {
        return nullptr;
    }
    return &digitdesk::annotation::detail::opencvImaging();
}
