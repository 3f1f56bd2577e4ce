#pragma once

#include <QMutex>
#include <QMutexLocker>
#include <QStringList>

#include <sqlite3.h>

#include <thread>

namespace digitdesk::testing {

// Catches SQL that runs on the GUI thread, through every SQLite connection the process opens
// after install() (Qt's QSQLITE driver uses the system libsqlite3, so workers' connections and
// the workspace's own are all seen). While a GuiThreadSql is alive, each statement that starts
// on the thread that called install() is recorded; statements on other threads are not.
// A test links SQLite::SQLite3 to use it.
class GuiThreadSql final
{
public:
    // Once, on the GUI thread, before the connections to watch are opened (initTestCase).
    static void install()
    {
        State &state = GuiThreadSql::state();
        const QMutexLocker lock(&state.mutex);
        if (!state.installed) {
            state.installed = true;
            state.gui = std::this_thread::get_id();
            // sqlite3_auto_extension takes any entry point as void(*)(void).
            sqlite3_auto_extension(reinterpret_cast<void (*)()>(&traceConnection));
        }
    }

    GuiThreadSql()
    {
        State &state = GuiThreadSql::state();
        const QMutexLocker lock(&state.mutex);
        state.seen.clear();
        state.armed = true;
    }
    ~GuiThreadSql()
    {
        State &state = GuiThreadSql::state();
        const QMutexLocker lock(&state.mutex);
        state.armed = false;
    }
    GuiThreadSql(const GuiThreadSql &) = delete;
    GuiThreadSql &operator=(const GuiThreadSql &) = delete;

    // The statements run on the GUI thread since this was made.
    QStringList statements() const
    {
        State &state = GuiThreadSql::state();
        const QMutexLocker lock(&state.mutex);
        return state.seen;
    }

private:
    struct State
    {
        QMutex mutex;
        bool installed = false;
        bool armed = false;
        std::thread::id gui;
        QStringList seen;
    };

    static State &state()
    {
        static State instance;
        return instance;
    }

    static int traceConnection(sqlite3 *db, const char **, const sqlite3_api_routines *)
    {
        sqlite3_trace_v2(db, SQLITE_TRACE_STMT, &traceStatement, nullptr);
        return SQLITE_OK;
    }

    static int traceStatement(unsigned, void *, void *, void *sql)
    {
        State &state = GuiThreadSql::state();
        const QMutexLocker lock(&state.mutex);
        if (state.armed && std::this_thread::get_id() == state.gui) {
            state.seen << QString::fromUtf8(static_cast<const char *>(sql));
        }
        return 0;
    }
};

} // namespace digitdesk::testing
