// Every `digitdesk` and `curl` command README.md shows, run, so the README cannot go stale.
//
// - ```sh blocks are examples: each runs verbatim, as one bash script (`set -eo pipefail`), in
//   README order, with `digitdesk` on PATH, DIGITDESK_WORKSPACE naming a small demo workspace that
//   this suite makes, DIGITDESK_PORT the port of a `digitdesk serve` it runs on that workspace,
//   and one line of stdin for a command that reads a password. `make` lines are not run.
// - A block right after `<!-- readme-test: synopsis -->` holds commands that cannot run here
//   (another server, a port held forever): its `digitdesk` lines are checked as synopses.
// - Inline `digitdesk ...` spans are synopses (ID, vN, DIR stand for values): `digitdesk CMD [SUB]
//   --help` must succeed and name each option the span gives. Inline `curl ...` spans run.
// A failure names the README line and shows what the command printed.
#include "tests/support/servefixture.h"
#include "tests/support/testfiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <tuple>
#include <vector>

using namespace digitdesk;
using namespace digitdesk::testing;

namespace {

struct ReadmeLine
{
    int line = 0;
    QString text;
};

// One example: a ```sh block (or an inline curl span) run as one script.
struct Example
{
    int line = 0;
    std::vector<ReadmeLine> commands;
};

struct Readme
{
    std::vector<Example> examples;
    std::vector<ReadmeLine> synopses;
};

const QString SynopsisMarker = QStringLiteral("<!-- readme-test: synopsis -->");

bool isShellFence(const QString &info)
{
    return info == QStringLiteral("sh") || info == QStringLiteral("bash") ||
           info == QStringLiteral("shell");
}

// A shell line that runs `digitdesk` as a command (not `digitdesk-serve:0.1.0`, nor an argument).
bool runsDigitdesk(const QString &command)
{
    static const QRegularExpression word(QStringLiteral("(^|[|;&(]\\s*|/)digitdesk(\\s|$)"));
    return word.match(command).hasMatch();
}

// Shell lines of a block, continuation lines joined, with the line each starts on.
std::vector<ReadmeLine> logicalLines(const QStringList &lines, int firstLine)
{
    std::vector<ReadmeLine> result;
    QString pending;
    int pendingLine = 0;
    for (int i = 0; i < lines.size(); ++i) {
        QString text = lines.at(i);
        if (pending.isEmpty()) {
            pendingLine = firstLine + i;
        }
        const bool continues = text.endsWith(QLatin1Char('\\'));
        if (continues) {
            text.chop(1);
        }
        pending += text + (continues ? QStringLiteral(" ") : QString());
        if (!continues) {
            if (!pending.trimmed().isEmpty() && !pending.trimmed().startsWith(QLatin1Char('#'))) {
                result.push_back({pendingLine, pending.trimmed()});
            }
            pending.clear();
        }
    }
    return result;
}

// Inline code spans of the text outside fences, paragraph by paragraph (a span may wrap). A span
// that follows a `digitdesk CMD ...` span after " / " is another subcommand of CMD, as in the
// command table's "`digitdesk users list` / `passwd NAME`".
void readInlineSpans(const QStringList &paragraph, int firstLine, Readme &readme)
{
    const QString text = paragraph.join(QLatin1Char('\n'));
    static const QRegularExpression span(QStringLiteral("`([^`]+)`"));
    static const QRegularExpression alternative(QStringLiteral("^\\s*/\\s*$"));
    QString command; // "digitdesk CMD" of the last synopsis span
    qsizetype commandEnd = -1;
    for (auto it = span.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        const int line =
            firstLine + static_cast<int>(text.left(match.capturedStart()).count(QLatin1Char('\n')));
        QString code = match.captured(1).simplified();
        code.replace(QStringLiteral("\\|"), QStringLiteral("|"));
        const bool continues =
            commandEnd >= 0 &&
            alternative.match(text.mid(commandEnd, match.capturedStart() - commandEnd)).hasMatch();
        if (continues && !code.startsWith(QStringLiteral("digitdesk"))) {
            const QString word = command.section(QLatin1Char(' '), 1, 1);
            code = code.startsWith(QLatin1Char('-')) || code.section(QLatin1Char(' '), 0, 0) == word
                       ? QStringLiteral("digitdesk ") + code
                       : command + QLatin1Char(' ') + code;
        }
        commandEnd = -1;
        if (code == QStringLiteral("digitdesk") || code.startsWith(QStringLiteral("digitdesk "))) {
            readme.synopses.push_back({line, code});
            command = code.section(QLatin1Char(' '), 0, 1);
            commandEnd = match.capturedEnd();
        } else if (code.startsWith(QStringLiteral("curl "))) {
            readme.examples.push_back({line, {{line, code}}});
        }
    }
}

Readme parseReadme(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    static const QRegularExpression fence(QStringLiteral("^\\s*```\\s*(\\S*)"));
    Readme readme;
    QStringList paragraph;
    int paragraphLine = 0;
    for (int i = 0; i < lines.size(); ++i) {
        const QRegularExpressionMatch open = fence.match(lines.at(i));
        if (!open.hasMatch()) {
            if (lines.at(i).trimmed().isEmpty()) {
                readInlineSpans(paragraph, paragraphLine, readme);
                paragraph.clear();
            } else {
                if (paragraph.isEmpty()) {
                    paragraphLine = i + 1;
                }
                paragraph << lines.at(i);
            }
            continue;
        }
        readInlineSpans(paragraph, paragraphLine, readme);
        paragraph.clear();
        const bool synopsis = i > 0 && lines.at(i - 1).trimmed() == SynopsisMarker;
        const int first = i + 1;
        QStringList body;
        for (++i; i < lines.size() && !fence.match(lines.at(i)).hasMatch(); ++i) {
            body << lines.at(i);
        }
        if (!isShellFence(open.captured(1))) {
            continue;
        }
        Example example{first + 1, {}};
        for (const ReadmeLine &command : logicalLines(body, first + 1)) {
            if (synopsis) {
                if (runsDigitdesk(command.text)) {
                    QString code = command.text;
                    code = code.section(QLatin1Char('#'), 0, 0).trimmed();
                    code = code.mid(code.indexOf(QStringLiteral("digitdesk")));
                    readme.synopses.push_back({command.line, code});
                }
            } else if (!command.text.startsWith(QStringLiteral("make ")) &&
                       command.text != QStringLiteral("make")) {
                example.commands.push_back(command);
            }
        }
        if (!example.commands.empty()) {
            readme.examples.push_back(example);
        }
    }
    readInlineSpans(paragraph, paragraphLine, readme);
    return readme;
}

// The first `count` digits of an IDX pair, as a pair of IDX files of the same layout.
bool writeIdxSubset(const QString &from, const QString &to, int count)
{
    for (const auto &[kind, header, itemBytes] :
         {std::tuple{QStringLiteral("images-idx3-ubyte"), 16, 784},
          std::tuple{QStringLiteral("labels-idx1-ubyte"), 8, 1}}) {
        QFile in(demoDataFile(from + QLatin1Char('-') + kind));
        if (!in.open(QIODevice::ReadOnly)) {
            return false;
        }
        QByteArray bytes = in.read(header + qint64(count) * itemBytes);
        if (bytes.size() != header + count * itemBytes) {
            return false;
        }
        for (int shift = 0; shift < 4; ++shift) { // the item count, big-endian, at offset 4
            bytes[7 - shift] = static_cast<char>((count >> (8 * shift)) & 0xff);
        }
        if (!writeFile(to + QLatin1Char('-') + kind, bytes)) {
            return false;
        }
    }
    return true;
}

} // namespace

class tst_ReadmeCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readmeHoldsCommands();
    void synopsesMatchTheirHelp_data();
    void synopsesMatchTheirHelp();
    void examplesRunVerbatim_data();
    void examplesRunVerbatim();

private:
    QProcessEnvironment environment() const;

    Readme m_readme;
    QTemporaryDir m_dir;
    ServeProcess m_serve{ServeProcess::Ending::Terminate};
};

QProcessEnvironment tst_ReadmeCommands::environment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DIGITDESK_DATABASE"));
    environment.insert(QStringLiteral("PATH"),
                       QFileInfo(QStringLiteral(DIGITDESK_BINARY)).absolutePath() +
                           QLatin1Char(':') + environment.value(QStringLiteral("PATH")));
    environment.insert(QStringLiteral("DIGITDESK_WORKSPACE"),
                       m_dir.filePath(QStringLiteral("workspace")));
    environment.insert(QStringLiteral("DIGITDESK_PORT"), QString::number(m_serve.port));
    return environment;
}

// A demo workspace as `make run` makes it, from 400 demo digits instead of 10,000: its six
// users, a production model approved by qa, 100 incoming digits carrying its predictions.
void tst_ReadmeCommands::initTestCase()
{
    // DIGITDESK_README: another file, to see this suite fail on a stale copy.
    m_readme = parseReadme(qEnvironmentVariable("DIGITDESK_README",
                                                QStringLiteral(DIGITDESK_SOURCE_DIR "/README.md")));
    QVERIFY(m_dir.isValid());
    const QString data = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(QDir().mkpath(data));
    QVERIFY2(
        writeIdxSubset(QStringLiteral("demo-train"), data + QStringLiteral("/demo-train"), 300),
        "the demo data is missing: run `make data`");
    QVERIFY(writeIdxSubset(QStringLiteral("demo-incoming"), data + QStringLiteral("/demo-incoming"),
                           100));
    QProcess demo;
    demo.setProcessEnvironment(environment());
    demo.setProcessChannelMode(QProcess::MergedChannels);
    demo.start(QStringLiteral(DIGITDESK_BINARY),
               {QStringLiteral("demo"), QStringLiteral("create"),
                m_dir.filePath(QStringLiteral("workspace")), QStringLiteral("--data"), data});
    QVERIFY(demo.waitForFinished(120000 * SanitizerTimeFactor));
    QVERIFY2(demo.exitCode() == 0, demo.readAll().constData());
    QVERIFY2(m_serve.start(m_dir.filePath(QStringLiteral("workspace")), {}, environment()),
             qPrintable(m_serve.log()));
    QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("cwd"))));
}

// A README whose parser found nothing would pass every row below.
void tst_ReadmeCommands::readmeHoldsCommands()
{
    int commands = 0;
    for (const Example &example : m_readme.examples) {
        commands += static_cast<int>(example.commands.size());
    }
    QVERIFY2(commands >= 20, qPrintable(QStringLiteral("%1 example commands").arg(commands)));
    QVERIFY2(m_readme.synopses.size() >= 40,
             qPrintable(QStringLiteral("%1 synopses").arg(m_readme.synopses.size())));
}

void tst_ReadmeCommands::synopsesMatchTheirHelp_data()
{
    QTest::addColumn<QString>("synopsis");
    for (const ReadmeLine &synopsis : m_readme.synopses) {
        QTest::addRow("README.md:%d %s", synopsis.line, qPrintable(synopsis.text)) << synopsis.text;
    }
}

// The command and subcommand words (at most two, lower case) choose the help to read: the
// subcommand's own, else the command's (or the program's), which must then name the words.
void tst_ReadmeCommands::synopsesMatchTheirHelp()
{
    QFETCH(QString, synopsis);
    const QStringList words = synopsis.split(QLatin1Char(' '), Qt::SkipEmptyParts).mid(1);
    static const QRegularExpression commandWord(QStringLiteral("^[a-z][a-z0-9-]*$"));
    QStringList command;
    while (command.size() < 2 && command.size() < words.size() &&
           commandWord.match(words.at(command.size())).hasMatch()) {
        command << words.at(command.size());
    }
    QString help;
    QString tried;
    for (qsizetype length = command.size(); length >= 0; --length) {
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(QStringLiteral(DIGITDESK_BINARY),
                      command.mid(0, length) + QStringList{QStringLiteral("--help")});
        QVERIFY(process.waitForFinished(30000 * SanitizerTimeFactor));
        const QString out = QString::fromUtf8(process.readAllStandardOutput());
        tried += QStringLiteral("$ digitdesk %1 --help (exit %2)\n%3%4\n")
                     .arg(command.mid(0, length).join(QLatin1Char(' ')))
                     .arg(process.exitCode())
                     .arg(out, QString::fromUtf8(process.readAllStandardError()));
        if (process.exitCode() == 0 && out.contains(QStringLiteral("Usage: digitdesk"))) {
            help = out;
            break;
        }
    }
    QVERIFY2(!help.isEmpty(), qPrintable(QStringLiteral("no help for it:\n") + tried));
    for (const QString &word : command) {
        QVERIFY2(QRegularExpression(QStringLiteral("\\b%1\\b").arg(word)).match(help).hasMatch(),
                 qPrintable(QStringLiteral("its help does not name '%1':\n%2").arg(word, tried)));
    }
    static const QRegularExpression option(
        QStringLiteral("(?:^|[\\s\\[(|])(--?[a-zA-Z][a-zA-Z0-9-]*)(?=$|[\\s\\])|=])"));
    for (auto it = option.globalMatch(synopsis); it.hasNext();) {
        const QString name = it.next().captured(1);
        if (name == QStringLiteral("--help")) {
            continue;
        }
        const QRegularExpression named(
            QStringLiteral("(^|[\\s,\\[])%1($|[\\s,=\\]])").arg(QRegularExpression::escape(name)),
            QRegularExpression::MultilineOption);
        QVERIFY2(named.match(help).hasMatch(),
                 qPrintable(QStringLiteral("its help does not name %1:\n%2").arg(name, tried)));
    }
}

void tst_ReadmeCommands::examplesRunVerbatim_data()
{
    QTest::addColumn<int>("exampleIndex");
    for (size_t i = 0; i < m_readme.examples.size(); ++i) {
        const Example &example = m_readme.examples.at(i);
        QTest::addRow("README.md:%d %s", example.line,
                      qPrintable(example.commands.front().text.left(60)))
            << static_cast<int>(i);
    }
}

// Each block is one script, so a variable set on one line is there on the next; a marker line
// before each command tells which README line failed and what it printed.
void tst_ReadmeCommands::examplesRunVerbatim()
{
    QFETCH(int, exampleIndex);
    const Example &example = m_readme.examples.at(static_cast<size_t>(exampleIndex));
    static const QRegularExpression failOption(QStringLiteral("\\s(-[a-zA-Z]*f[a-zA-Z]*|--fail)"
                                                              "(\\s|$)"));
    QString script = QStringLiteral("set -eo pipefail\n");
    for (const ReadmeLine &command : example.commands) {
        QVERIFY2(!command.text.contains(QStringLiteral("curl ")) ||
                     failOption.match(command.text).hasMatch(),
                 qPrintable(QStringLiteral("README.md:%1: curl without -f cannot fail on an HTTP "
                                           "error: %2")
                                .arg(command.line)
                                .arg(command.text)));
        script += QStringLiteral("echo '@@README.md:%1'\n%2\n").arg(command.line).arg(command.text);
    }
    QProcess shell;
    shell.setProcessEnvironment(environment());
    shell.setWorkingDirectory(m_dir.filePath(QStringLiteral("cwd")));
    shell.setProcessChannelMode(QProcess::MergedChannels);
    shell.start(QStringLiteral("bash"), {QStringLiteral("-c"), script});
    shell.write("readme example passphrase\n");
    shell.closeWriteChannel();
    if (!shell.waitForFinished(120000 * SanitizerTimeFactor)) {
        terminateChild(shell, 1000);
        QFAIL(qPrintable(QStringLiteral("did not finish in 120 s:\n") +
                         QString::fromUtf8(shell.readAll())));
    }
    const QString output = QString::fromUtf8(shell.readAll());
    // "README.md:LINE\n" and what the command on that line printed.
    const QString last = output.mid(output.lastIndexOf(QStringLiteral("@@README.md:")) + 2);
    const QString where = last.section(QLatin1Char('\n'), 0, 0);
    QString failed;
    for (const ReadmeLine &command : example.commands) {
        if (where == QStringLiteral("README.md:%1").arg(command.line)) {
            failed = command.text;
        }
    }
    QVERIFY2(shell.exitStatus() == QProcess::NormalExit && shell.exitCode() == 0,
             qPrintable(QStringLiteral("%1: `%2` exited with %3:\n%4")
                            .arg(where, failed)
                            .arg(shell.exitCode())
                            .arg(last.section(QLatin1Char('\n'), 1))));
    qInfo("%s", qPrintable(output.trimmed()));
}

QTEST_GUILESS_MAIN(tst_ReadmeCommands)
#include "tst_readmecommands.moc"
