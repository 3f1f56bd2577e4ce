#include "annotation/principal.h"
#include "annotation/userservice.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "storage/workspace.h"

namespace digitdesk::app {
namespace {

const QString RoleHelp = annotation::allRoleNames().join(QLatin1Char('|'));

std::optional<annotation::Role> parseRole(const ArgumentParser &parser, const QString &text,
                                          int *exit)
{
    const auto role = annotation::roleFromString(text);
    if (!role) {
        *exit = parser.usageError(QStringLiteral("unknown role '%1': use %2").arg(text, RoleHelp));
    }
    return role;
}

} // namespace

int runUsersCommand(const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    const annotation::Principal who = annotation::Principal::localOperator();
    const QStringList &subArguments = arguments;

    if (sub == QStringLiteral("add")) {
        ArgumentParser parser(
            QStringLiteral("digitdesk users add NAME --role %1 [--workspace DIR]").arg(RoleHelp),
            QStringLiteral("Add a user. The password is read from the terminal "
                           "(asked twice) or as one line from stdin."));
        parser.addWorkspaceOption();
        parser.addOption(
            {QStringLiteral("role"), QStringLiteral("The user's role."), QStringLiteral("ROLE")});
        if (auto exit = parser.parse(subArguments, 2, 2)) {
            return *exit;
        }
        if (!parser.isSet(QStringLiteral("role"))) {
            return parser.usageError(QStringLiteral("--role is required"));
        }
        int exit = ExitOk;
        const auto role = parseRole(parser, parser.value(QStringLiteral("role")), &exit);
        if (!role) {
            return exit;
        }
        const QString name = parser.positional().at(1);
        annotation::UserService::validateName(name);
        const auto workspace = openWorkspace(parser.workspace());
        const QString password =
            readPassword(QStringLiteral("Password for %1: ").arg(name), /*confirm=*/true);
        annotation::UserService(workspace->db()).addUser(who, name, password, *role);
        printOut(QStringLiteral("Added %1 (%2)").arg(name, annotation::toString(*role)));
        return ExitOk;
    }
    if (sub == QStringLiteral("list")) {
        ArgumentParser parser(QStringLiteral("digitdesk users list [--workspace DIR]"),
                              QStringLiteral("List the workspace's users."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(subArguments, 1, 1)) {
            return *exit;
        }
        const auto workspace = openWorkspace(parser.workspace());
        const auto users = annotation::UserService(workspace->db()).listUsers(who);
        printOut(QStringLiteral("%1 %2 %3 %4")
                     .arg(QStringLiteral("NAME"), -24)
                     .arg(QStringLiteral("ROLE"), -12)
                     .arg(QStringLiteral("STATE"), -9)
                     .arg(QStringLiteral("CREATED")));
        for (const annotation::UserSummary &user : users) {
            printOut(
                QStringLiteral("%1 %2 %3 %4 by %5")
                    .arg(user.name, -24)
                    .arg(annotation::toString(user.role), -12)
                    .arg(user.disabled ? QStringLiteral("disabled") : QStringLiteral("active"), -9)
                    .arg(user.createdAt.toString(Qt::ISODate), user.createdBy));
        }
        return ExitOk;
    }
    if (sub == QStringLiteral("passwd")) {
        ArgumentParser parser(QStringLiteral("digitdesk users passwd NAME [--workspace DIR]"),
                              QStringLiteral("Set a user's password, read from the terminal "
                                             "(asked twice) or as one line from stdin."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(subArguments, 2, 2)) {
            return *exit;
        }
        const QString name = parser.positional().at(1);
        const auto workspace = openWorkspace(parser.workspace());
        const QString password =
            readPassword(QStringLiteral("New password for %1: ").arg(name), /*confirm=*/true);
        annotation::UserService(workspace->db()).changePassword(who, name, password);
        printOut(QStringLiteral("Changed the password of %1").arg(name));
        return ExitOk;
    }
    if (sub == QStringLiteral("role")) {
        ArgumentParser parser(
            QStringLiteral("digitdesk users role NAME %1 [--workspace DIR]").arg(RoleHelp),
            QStringLiteral("Change a user's role."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(subArguments, 3, 3)) {
            return *exit;
        }
        int exit = ExitOk;
        const auto role = parseRole(parser, parser.positional().at(2), &exit);
        if (!role) {
            return exit;
        }
        const auto workspace = openWorkspace(parser.workspace());
        annotation::UserService(workspace->db()).setRole(who, parser.positional().at(1), *role);
        printOut(QStringLiteral("%1 is now %2")
                     .arg(parser.positional().at(1), annotation::toString(*role)));
        return ExitOk;
    }
    if (sub == QStringLiteral("disable") || sub == QStringLiteral("enable")) {
        ArgumentParser parser(QStringLiteral("digitdesk users %1 NAME [--workspace DIR]").arg(sub),
                              QStringLiteral("Stop or allow a user's logins."));
        parser.addWorkspaceOption();
        if (auto exit = parser.parse(subArguments, 2, 2)) {
            return *exit;
        }
        const auto workspace = openWorkspace(parser.workspace());
        const bool disable = sub == QStringLiteral("disable");
        annotation::UserService(workspace->db())
            .setDisabled(who, parser.positional().at(1), disable);
        printOut(QStringLiteral("%1 %2").arg(parser.positional().at(1),
                                             disable ? QStringLiteral("disabled")
                                                     : QStringLiteral("enabled")));
        return ExitOk;
    }
    ArgumentParser parser(QStringLiteral("digitdesk users add|list|passwd|role|disable|enable ..."),
                          QStringLiteral("Manage the workspace's users."));
    if (arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"))) {
        return parser.parse(arguments, 0, -1).value_or(ExitOk);
    }
    return parser.usageError(sub.isEmpty() ? QStringLiteral("missing subcommand")
                                           : QStringLiteral("unknown subcommand '%1'").arg(sub));
}

} // namespace digitdesk::app
