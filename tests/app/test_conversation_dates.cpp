// The sidebar's date groups and relative times, at fixed "now" values, and the export file name made
// from a chat's title.
#include "app/conversations/conversation_dates.h"
#include "app/storage/conversation_exporter.h"

#include <QLocale>
#include <QTest>

using namespace vora::app;

class TestConversationDates : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedKingdom)); }

    void groupsAndRelativeTimes_data()
    {
        QTest::addColumn<QDateTime>("when");
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("relative");
        const QDateTime now(QDate(2026, 11, 28), QTime(15, 30)); // a Saturday
        QTest::newRow("seconds ago") << now.addSecs(-20) << "Today" << "now";
        QTest::newRow("minutes ago") << now.addSecs(-5 * 60) << "Today" << "5 min";
        QTest::newRow("hours ago") << now.addSecs(-3 * 3600) << "Today" << "3 h";
        QTest::newRow("just after midnight") << QDateTime(QDate(2026, 11, 28), QTime(0, 5)) << "Today" << "15 h";
        QTest::newRow("yesterday late") << QDateTime(QDate(2026, 11, 27), QTime(23, 55)) << "Yesterday" << "Yesterday";
        QTest::newRow("three days") << QDateTime(QDate(2026, 11, 25), QTime(9, 0)) << "Previous 7 days" << "Wed";
        QTest::newRow("a week") << QDateTime(QDate(2026, 11, 21), QTime(9, 0)) << "Previous 7 days" << "21 Nov";
        QTest::newRow("three weeks") << QDateTime(QDate(2026, 11, 7), QTime(9, 0)) << "Previous 30 days" << "7 Nov";
        QTest::newRow("months") << QDateTime(QDate(2026, 3, 2), QTime(9, 0)) << "March 2026" << "2 Mar";
        QTest::newRow("last year") << QDateTime(QDate(2025, 12, 31), QTime(9, 0)) << "December 2025" << "31 Dec 2025";
        QTest::newRow("clock skew") << now.addSecs(600) << "Today" << "now";
    }

    void groupsAndRelativeTimes()
    {
        QFETCH(QDateTime, when);
        QFETCH(QString, group);
        QFETCH(QString, relative);
        const QDateTime now(QDate(2026, 11, 28), QTime(15, 30));
        QCOMPARE(dateGroupLabel(when, now), group);
        QCOMPARE(relativeTimeLabel(when, now), relative);
    }

    void exportFileNamesComeFromTheTitle_data()
    {
        QTest::addColumn<QString>("title");
        QTest::addColumn<QString>("markdown");
        QTest::newRow("plain") << "Shapes in the picture" << "Shapes in the picture.md";
        QTest::newRow("separators and reserved") << "a/b\\c: what? <x> | \"y\" *" << "a b c what x y.md";
        QTest::newRow("control characters") << QStringLiteral("one\ntwo\tthree") << "one two three.md";
        QTest::newRow("hidden") << "...profile" << "profile.md";
        QTest::newRow("nothing left") << "???" << "Conversation.md";
        QTest::newRow("long") << QString(200, QLatin1Char('x')) << QString(80, QLatin1Char('x')) + QStringLiteral(".md");
        QTest::newRow("unicode kept") << "Café über 東京" << "Café über 東京.md";
    }

    void exportFileNamesComeFromTheTitle()
    {
        QFETCH(QString, title);
        QFETCH(QString, markdown);
        QCOMPARE(suggestedExportFileName(title, ExportFormat::Markdown), markdown);
        QCOMPARE(suggestedExportFileName(title, ExportFormat::Json), markdown.chopped(3) + QStringLiteral(".json"));
    }
};

QTEST_GUILESS_MAIN(TestConversationDates)
#include "test_conversation_dates.moc"
