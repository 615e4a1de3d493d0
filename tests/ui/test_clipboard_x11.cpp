// Paste with real clipboard data: another process (vora_clipboard_owner) owns the X11 clipboard, as a
// browser or a file manager would, and Ctrl+V in the composer takes it through the X server: PNG bytes
// become an attachment with the same pixels; copied files become attachments under their names, in
// order; plain text stays text. Runs under Xvfb (tests/ui/run_under_xvfb.sh); skipped elsewhere.
#include "ui/composer/attachment_strip.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/composer_widget.h"

#include <QApplication>
#include <QClipboard>
#include <QImage>
#include <QMimeData>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

// Starts the owner; true once it reports that the clipboard is its.
bool startOwner(QProcess& owner, const QStringList& arguments)
{
    owner.start(QStringLiteral(VORA_CLIPBOARD_OWNER), arguments);
    if (!owner.waitForStarted(10000)) {
        return false;
    }
    while (!owner.canReadLine()) {
        if (!owner.waitForReadyRead(10000)) {
            return false;
        }
    }
    return owner.readLine().trimmed() == "ready";
}

void stopOwner(QProcess& owner)
{
    owner.closeWriteChannel();
    owner.waitForFinished(5000);
}

} // namespace

class TestClipboardX11 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (QGuiApplication::platformName() != QLatin1String("xcb")) {
            QSKIP("needs an X server (run through tests/ui/run_under_xvfb.sh)");
        }
        QVERIFY(m_dir.isValid());
    }

    void init()
    {
        m_composer = std::make_unique<vora::ui::ComposerWidget>();
        m_composer->setCanSend(true, QStringLiteral("Write"));
        m_composer->resize(700, 240);
        m_composer->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_composer.get())); // Xvfb has no window manager to activate it
        m_composer->edit()->setFocus();
    }

    void pastingImageBytesFromAnotherApplicationAttachesThem()
    {
        QImage image(48, 32, QImage::Format_RGB32);
        image.fill(QColor(30, 70, 220));
        image.setPixelColor(5, 7, QColor(240, 210, 20));
        const QString path = m_dir.filePath(QStringLiteral("copied.png"));
        QVERIFY(image.save(path));
        QProcess owner;
        QVERIFY(startOwner(owner, {QStringLiteral("--png"), path}));
        // The clipboard is another client's: what Qt sees comes through the X server.
        QVERIFY(QGuiApplication::clipboard()->ownsClipboard() == false);
        QTRY_VERIFY(QGuiApplication::clipboard()->mimeData()->hasFormat(QStringLiteral("image/png")));
        QTest::keyClick(m_composer->edit(), Qt::Key_V, Qt::ControlModifier);
        stopOwner(owner);
        QCOMPARE(m_composer->attachments()->count(), 1);
        const QImage attached = m_composer->attachments()->image(0).convertToFormat(QImage::Format_RGB32);
        QCOMPARE(attached.size(), QSize(48, 32));
        QCOMPARE(attached.pixelColor(0, 0), QColor(30, 70, 220));
        QCOMPARE(attached.pixelColor(5, 7), QColor(240, 210, 20));
        QVERIFY(m_composer->text().isEmpty());
    }

    void pastingCopiedFilesAttachesThemInOrder()
    {
        QStringList paths;
        for (const char* name : {"first.png", "second.png"}) {
            QImage image(10, 10, QImage::Format_RGB32);
            image.fill(paths.isEmpty() ? Qt::red : Qt::green);
            paths.append(m_dir.filePath(QLatin1String(name)));
            QVERIFY(image.save(paths.last()));
        }
        QProcess owner;
        QVERIFY(startOwner(owner, QStringList{QStringLiteral("--uris")} + paths));
        QTRY_VERIFY(QGuiApplication::clipboard()->mimeData()->hasUrls());
        QTest::keyClick(m_composer->edit(), Qt::Key_V, Qt::ControlModifier);
        stopOwner(owner);
        QCOMPARE(m_composer->attachments()->names(), (QStringList{QStringLiteral("first.png"), QStringLiteral("second.png")}));
        QCOMPARE(m_composer->attachments()->image(1).pixelColor(3, 3), QColor(Qt::green));
    }

    void pastingTextStaysText()
    {
        QGuiApplication::clipboard()->setText(QStringLiteral("just words"));
        QTest::keyClick(m_composer->edit(), Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(m_composer->text(), QStringLiteral("just words"));
        QCOMPARE(m_composer->attachments()->count(), 0);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<vora::ui::ComposerWidget> m_composer;
};

QTEST_MAIN(TestClipboardX11)
#include "test_clipboard_x11.moc"
