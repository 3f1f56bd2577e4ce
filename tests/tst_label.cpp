#include "storage/label.h"
#include "storage/labelsql.h"
#include "storage/storageerror.h"
#include "tests/support/testdata.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <stdexcept>

using namespace digitdesk;
using storage::Label;
using storage::MaybeLabel;

class tst_Label : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void fromDigit_data();
    void fromDigit();
    void fromIndex_data();
    void fromIndex();
    void fromText_data();
    void fromText();
    void ordersDigitsBeforeNotADigit();
    void sqlRoundTrip_data();
    void sqlRoundTrip();
    void sqlRefusesWhatIsNotALabel_data();
    void sqlRefusesWhatIsNotALabel();
    void indexExpressionCountsNotADigit();
    void statusRoundTrip_data();
    void statusRoundTrip();

private:
    QSqlDatabase m_db;
};

void tst_Label::initTestCase()
{
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst_label"));
    m_db.setDatabaseName(QStringLiteral(":memory:"));
    QVERIFY(m_db.open());
    QSqlQuery create(m_db);
    QVERIFY(create.exec(QStringLiteral("CREATE TABLE t (label INTEGER, status TEXT)")));
}

void tst_Label::cleanupTestCase()
{
    m_db.close();
    m_db = {};
    QSqlDatabase::removeDatabase(QStringLiteral("tst_label"));
}

void tst_Label::fromDigit_data()
{
    QTest::addColumn<int>("value");
    QTest::addColumn<bool>("valid");
    for (int value = -3; value <= 12; ++value) {
        QTest::addRow("%d", value) << value << (value >= 0 && value <= 9);
    }
}

void tst_Label::fromDigit()
{
    QFETCH(int, value);
    QFETCH(bool, valid);
    if (!valid) {
        try {
            Label::fromDigit(value);
            QFAIL("an invalid digit was accepted");
        } catch (const std::invalid_argument &error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(QString::number(value)),
                     error.what());
        }
        return;
    }
    const Label label = Label::fromDigit(value);
    QVERIFY(label.isDigit());
    QVERIFY(!label.isNotADigit());
    QCOMPARE(label.digit(), value);
    QCOMPARE(label.index(), value);
    QCOMPARE(label.text(), QString::number(value));
    QCOMPARE(Label::fromText(label.text()), MaybeLabel(label));
    QCOMPARE(Label::fromIndex(label.index()), label);
}

void tst_Label::fromIndex_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<bool>("valid");
    for (int index = -2; index <= 12; ++index) {
        QTest::addRow("%d", index) << index << (index >= 0 && index <= 10);
    }
}

void tst_Label::fromIndex()
{
    QFETCH(int, index);
    QFETCH(bool, valid);
    if (!valid) {
        QVERIFY(testing::throws<std::invalid_argument>([&] { Label::fromIndex(index); }));
        return;
    }
    const Label label = Label::fromIndex(index);
    QCOMPARE(label.index(), index);
    QCOMPARE(label.isNotADigit(), index == Label::NotADigitIndex);
    if (label.isNotADigit()) {
        QCOMPARE(label, Label::notADigit());
        QVERIFY(testing::throws<std::logic_error>([&] { (void)label.digit(); }));
    }
}

void tst_Label::fromText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("index"); // -1: refused
    for (int digit = 0; digit <= 9; ++digit) {
        QTest::addRow("%d", digit) << QString::number(digit) << digit;
    }
    QTest::newRow("x") << QStringLiteral("x") << 10;
    QTest::newRow("X") << QStringLiteral("X") << -1;
    QTest::newRow("10") << QStringLiteral("10") << -1;
    QTest::newRow("-1") << QStringLiteral("-1") << -1;
    QTest::newRow("empty") << QString() << -1;
    QTest::newRow("space") << QStringLiteral(" 7") << -1;
    QTest::newRow("letter") << QStringLiteral("a") << -1;
    QTest::newRow("arabic-indic seven") << QStringLiteral("\u0667") << -1;
}

void tst_Label::fromText()
{
    QFETCH(QString, text);
    QFETCH(int, index);
    const MaybeLabel label = Label::fromText(text);
    if (index < 0) {
        QVERIFY(!label);
        return;
    }
    QVERIFY(label);
    QCOMPARE(label->index(), index);
    QCOMPARE(label->text(), text);
}

void tst_Label::ordersDigitsBeforeNotADigit()
{
    QVERIFY(Label::fromDigit(0) < Label::fromDigit(9));
    QVERIFY(Label::fromDigit(9) < Label::notADigit());
    QVERIFY(Label::fromDigit(4) == Label::fromIndex(4));
    QVERIFY(MaybeLabel() != MaybeLabel(Label::notADigit()));
}

void tst_Label::sqlRoundTrip_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<QVariant>("stored"); // what the labels.label column holds
    for (int digit = 0; digit <= 9; ++digit) {
        QTest::addRow("%d", digit) << digit << QVariant(digit);
    }
    QTest::newRow("not a digit is NULL") << 10 << QVariant();
}

void tst_Label::sqlRoundTrip()
{
    QFETCH(int, index);
    QFETCH(QVariant, stored);
    const Label label = Label::fromIndex(index);
    QSqlQuery write(m_db);
    QVERIFY(write.exec(QStringLiteral("DELETE FROM t")));
    QVERIFY(write.prepare(QStringLiteral("INSERT INTO t (label) VALUES (:label)")));
    write.bindValue(QStringLiteral(":label"), storage::labelsql::toColumn(label));
    QVERIFY2(write.exec(), qPrintable(write.lastError().text()));

    QSqlQuery read(m_db);
    QVERIFY(read.exec(QStringLiteral("SELECT label, ") +
                      storage::labelsql::indexOf(QStringLiteral("label")) +
                      QStringLiteral(" FROM t")));
    QVERIFY(read.next());
    QCOMPARE(read.value(0).isNull(), stored.isNull());
    if (!stored.isNull()) {
        QCOMPARE(read.value(0).toInt(), stored.toInt());
    }
    QCOMPARE(storage::labelsql::fromColumn(read.value(0)), label);
    QCOMPARE(read.value(1).toInt(), index);
    QCOMPARE(storage::labelsql::fromIndexColumn(read.value(1)), MaybeLabel(label));
}

void tst_Label::sqlRefusesWhatIsNotALabel_data()
{
    QTest::addColumn<QVariant>("column");
    QTest::addColumn<bool>("asIndex");
    QTest::newRow("10 in a label column") << QVariant(10) << false;
    QTest::newRow("-1 in a label column") << QVariant(-1) << false;
    QTest::newRow("text in a label column") << QVariant(QStringLiteral("x")) << false;
    QTest::newRow("11 as an index") << QVariant(11) << true;
    QTest::newRow("-2 as an index") << QVariant(-2) << true;
}

void tst_Label::sqlRefusesWhatIsNotALabel()
{
    QFETCH(QVariant, column);
    QFETCH(bool, asIndex);
    QVERIFY(testing::throws<storage::StorageError>([&] {
        if (asIndex) {
            storage::labelsql::fromIndexColumn(column);
        } else {
            storage::labelsql::fromColumn(column);
        }
    }));
}

void tst_Label::indexExpressionCountsNotADigit()
{
    QSqlQuery query(m_db);
    QVERIFY(query.exec(QStringLiteral("DELETE FROM t")));
    QVERIFY(query.exec(QStringLiteral("INSERT INTO t (label) VALUES (NULL), (NULL), (3), (3)")));
    QVERIFY(query.exec(QStringLiteral("SELECT COUNT(DISTINCT ") +
                       storage::labelsql::indexOf(QStringLiteral("label")) +
                       QStringLiteral(") FROM t")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 2);
    // "No label" (no row) stays apart from "not a digit".
    QCOMPARE(storage::labelsql::fromIndexColumn(QVariant()), MaybeLabel());
}

void tst_Label::statusRoundTrip_data()
{
    QTest::addColumn<storage::ImageStatus>("status");
    QTest::addColumn<QString>("stored");
    QTest::newRow("incoming") << storage::ImageStatus::Incoming << QStringLiteral("incoming");
    QTest::newRow("labelled") << storage::ImageStatus::Labelled << QStringLiteral("labelled");
    QTest::newRow("approved") << storage::ImageStatus::Approved << QStringLiteral("approved");
}

void tst_Label::statusRoundTrip()
{
    QFETCH(storage::ImageStatus, status);
    QFETCH(QString, stored);
    QSqlQuery query(m_db);
    QVERIFY(query.exec(QStringLiteral("DELETE FROM t")));
    QVERIFY(query.prepare(QStringLiteral("INSERT INTO t (status) VALUES (:status)")));
    query.bindValue(QStringLiteral(":status"), storage::labelsql::toColumn(status));
    QVERIFY(query.exec());
    QVERIFY(query.exec(QStringLiteral("SELECT status FROM t")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), stored);
    QVERIFY(storage::labelsql::statusFromColumn(query.value(0)) == status);
    QVERIFY(testing::throws<storage::StorageError>(
        [] { storage::labelsql::statusFromColumn(QStringLiteral("Approved")); }));
}

QTEST_GUILESS_MAIN(tst_Label)
#include "tst_label.moc"
