#include "ui/aboutdialog.h"

#include "annotation/imagingversion.h"
#include "models/computedevice.h"
#include "storage/databaselocation.h"
#include "storage/libraryversions.h"
#include "storage/storageerror.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace digitdesk::ui {

// What needs a module loaded or a server asked, gathered off the GUI thread.
struct AboutDialog::Runtime
{
    QString torch;
    QString device;
    QString threads;
    QString opencv;
    QString server;
};

namespace {

template <typename Read> QString readOrSay(Read read)
{
    try {
        return read();
    } catch (const storage::StorageError &error) {
        return QObject::tr("not available: %1").arg(error.message());
    } catch (const std::exception &error) {
        return QObject::tr("not available: %1").arg(QString::fromUtf8(error.what()));
    }
}

} // namespace

AboutDialog::AboutDialog(const QString &databaseLocation, QWidget *parent)
    : QDialog(parent), m_form(new QFormLayout)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About DigitDesk"));
    auto *heading = new QLabel(
        tr("<b>DigitDesk</b> %1<br>Handwritten digits labelled with a human in the loop.")
            .arg(QCoreApplication::applicationVersion().toHtmlEscaped()),
        this);
    heading->setObjectName(QStringLiteral("aboutHeading"));
    const QString loading = tr("loading…");
    addRow(QStringLiteral("digitdesk"), tr("DigitDesk"), QCoreApplication::applicationVersion());
    addRow(QStringLiteral("qt"), tr("Qt"), QString::fromLatin1(qVersion()));
    addRow(QStringLiteral("libtorch"), tr("LibTorch"), loading);
    addRow(QStringLiteral("opencv"), tr("OpenCV"), loading);
    addRow(QStringLiteral("libgit2"), tr("libgit2"), storage::libgit2Version());
    addRow(QStringLiteral("sqlite"), tr("SQLite"), storage::sqliteVersion());
    QLabel *server = addRow(QStringLiteral("server"), tr("Database server"), loading);
    addRow(QStringLiteral("device"), tr("Compute device"), loading);
    addRow(QStringLiteral("threads"), tr("Intra-op threads"), loading);
    // Only a workspace on PostgreSQL has a server to name.
    bool onServer = false;
    try {
        onServer = storage::DatabaseLocation::parse(databaseLocation).engine() ==
                   storage::Engine::PostgreSql;
    } catch (const storage::StorageError &) {
        // The workspace opened with it, so this does not happen; no server row then.
    }
    server->setVisible(onServer);
    m_form->labelForField(server)->setVisible(onServer);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copy->setObjectName(QStringLiteral("copyVersions"));
    connect(copy, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(text()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    buttons->button(QDialogButtonBox::Close)->setDefault(true); // Enter closes, as Esc does
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addLayout(m_form);
    layout->addWidget(buttons);
    setMinimumWidth(420);

    // LibTorch takes about half a second to load the first time: the dialog is up at once
    // and fills these rows in. The watcher is the dialog's, so no answer reaches a closed one.
    auto *watcher = new QFutureWatcher<Runtime>(this);
    connect(watcher, &QFutureWatcher<Runtime>::finished, this,
            [this, watcher] { showRuntime(watcher->result()); });
    watcher->setFuture(QtConcurrent::run([databaseLocation, onServer] {
        Runtime runtime;
        runtime.torch = readOrSay([] { return models::runtimeInfo().torchVersion; });
        runtime.device = readOrSay([] {
            const models::ComputeDevice device = models::chooseDevice(models::DeviceRequest::Auto);
            return device.description;
        });
        runtime.threads =
            readOrSay([] { return QString::number(models::runtimeInfo().intraOpThreads); });
        runtime.opencv = readOrSay([] { return annotation::opencvVersion(); });
        if (onServer) {
            runtime.server =
                readOrSay([&] { return storage::databaseServerVersion(databaseLocation); });
        }
        return runtime;
    }));
}

QLabel *AboutDialog::addRow(const QString &key, const QString &caption, const QString &value)
{
    auto *label = new QLabel(value, this);
    label->setObjectName(QStringLiteral("version_%1").arg(key));
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_form->addRow(caption + QLatin1Char(':'), label);
    m_values.insert(key, label);
    m_captions.insert(key, caption + QLatin1Char(':'));
    m_order << key;
    return label;
}

void AboutDialog::showRuntime(const Runtime &runtime)
{
    m_values.value(QStringLiteral("libtorch"))->setText(runtime.torch);
    m_values.value(QStringLiteral("device"))->setText(runtime.device);
    m_values.value(QStringLiteral("threads"))->setText(runtime.threads);
    m_values.value(QStringLiteral("opencv"))->setText(runtime.opencv);
    m_values.value(QStringLiteral("server"))->setText(runtime.server);
    m_loading = false;
    Q_EMIT loaded();
}

QString AboutDialog::value(const QString &row) const
{
    const QLabel *label = m_values.value(row);
    return label ? label->text() : QString();
}

QString AboutDialog::text() const
{
    QStringList lines;
    for (const QString &key : m_order) {
        const QLabel *label = m_values.value(key);
        if (label->isVisibleTo(this)) {
            lines << QStringLiteral("%1 %2").arg(m_captions.value(key), label->text());
        }
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace digitdesk::ui
