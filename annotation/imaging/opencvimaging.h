#pragma once

#include "annotation/private/imagingbackend.h"

namespace digitdesk::annotation::detail {

// The backend implemented with OpenCV: what libdigitdesk_imaging.so answers, and what the fuzz
// targets compile in directly (staticimaging.cpp).
ImagingBackend &opencvImaging();

} // namespace digitdesk::annotation::detail
