// What the permission check costs per call now that it reads the user's role, disabled flag
// and session from the database: microseconds per AccessControl::require() for a logged-in
// user, and for the operator (no read).
//
//   require_bench [CALLS]
#include "annotation/accesscontrol.h"
#include "annotation/authservice.h"
#include "tests/support/testdata.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>

using namespace digitdesk;

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    const int calls = argc > 1 ? std::atoi(argv[1]) : 100000;
    testing::TempWorkspace temp;
    for (int i = 0; i < 50; ++i) {
        testing::addUser(*temp.workspace, QStringLiteral("user%1").arg(i),
                         annotation::Role::Annotator, QStringLiteral("correct horse"));
    }
    const annotation::Principal ana =
        annotation::AuthService(temp.workspace->db())
            .login(QStringLiteral("user7"), QStringLiteral("correct horse"),
                   QStringLiteral("bench"))
            .principal;
    const annotation::AccessControl access(temp.workspace->db());
    const auto perCall = [&](const annotation::Principal &who) {
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < calls; ++i) {
            access.require(who, annotation::Action::Annotate);
        }
        return static_cast<double>(timer.nsecsElapsed()) / 1000.0 / calls;
    };
    perCall(ana); // warm the page cache
    std::printf("require() for a logged-in user: %.2f us per call over %d calls\n", perCall(ana),
                calls);
    std::printf("require() for the operator: %.3f us per call\n",
                perCall(annotation::Principal::localOperator()));
    return 0;
}
