#include "tests/support/runworkspacetest.h"

namespace digitdesk::testing {

void RunWorkspaceTest::init()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    m_ws = std::make_unique<RunWorkspace>();
}

void RunWorkspaceTest::cleanup()
{
    m_ws.reset();
}

} // namespace digitdesk::testing
