#include "annotation/imagingversion.h"

#include "annotation/private/imagingbackend.h"

namespace digitdesk::annotation {

QString opencvVersion()
{
    return detail::imaging().opencvVersion();
}

} // namespace digitdesk::annotation
