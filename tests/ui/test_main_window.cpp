#include "ui/main_window/main_window.h"

#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using vora::ui::MainWindow;

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void opensWithAnInvitationToOpenAModel()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        MainWindow window(&settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        auto* open = window.findChild<QPushButton*>(QStringLiteral("openModelButton"));
        QVERIFY(open);
        QVERIFY(open->isVisible());
        QVERIFY(!open->accessibleName().isEmpty());
        auto* composer = window.findChild<QPlainTextEdit*>(QStringLiteral("composerEdit"));
        QVERIFY(composer);
        QVERIFY(!composer->isEnabled()); // nothing to talk to yet

        const QPixmap shot = window.grab();
        QVERIFY(!shot.isNull());
        QVERIFY(shot.width() >= 800);
        // Not a blank window: the grab holds more than one colour.
        const QImage image = shot.toImage();
        const QRgb first = image.pixel(0, 0);
        bool varied = false;
        for (int y = 0; y < image.height() && !varied; y += 7) {
            for (int x = 0; x < image.width() && !varied; x += 7) {
                varied = image.pixel(x, y) != first;
            }
        }
        QVERIFY(varied);
    }

    void choosingAModelRemembersIt()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        {
            MainWindow window(&settings);
            Q_EMIT window.modelFolderChosen(dir.path());
        }
        MainWindow reopened(&settings);
        reopened.show();
        auto* recent = reopened.findChild<QListView*>(QStringLiteral("recentModels"));
        QVERIFY(recent);
        QVERIFY(recent->isVisible());
        QCOMPARE(recent->model()->rowCount(), 1);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
