#pragma once

#include <QString>

namespace digitdesk::storage {

// Where an image stands: nobody has labelled it, somebody has, or a reviewer approved a label.
// In SQL, only labelsql.h converts it.
enum class ImageStatus
{
    Incoming,
    Labelled,
    Approved
};

// "incoming", "labelled", "approved", as views and the command line show it.
QString toString(ImageStatus status);

} // namespace digitdesk::storage
