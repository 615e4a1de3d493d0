#include "ui/common/icon_button.h"
#include "ui/common/tone_label.h"
#include "ui/composer/attachment_strip.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/composer_widget.h"
#include "ui/composer/image_viewer_dialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDropEvent>
#include <QImage>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUrl>

using vora::ui::ComposerWidget;

namespace {

QImage testImage()
{
    QImage image(60, 30, QImage::Format_RGB32);
    image.fill(Qt::darkCyan);
    return image;
}

void drop(QWidget* target, QMimeData* data)
{
    const QPoint centre = target->rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QDropEvent dropEvent(centre, Qt::CopyAction, data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &dropEvent);
}

class PaintCounter : public QObject {
public:
    explicit PaintCounter(int* paints)
        : m_paints(paints)
    {
    }

protected:
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() == QEvent::Paint) {
            ++*m_paints;
        }
        return false;
    }

private:
    int* m_paints;
};

} // namespace

class TestComposer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_composer = std::make_unique<ComposerWidget>();
        m_composer->setCanSend(true, QStringLiteral("Write"));
        m_composer->setModelGeometry(56, 14, true);
        m_composer->resize(600, 200);
        m_composer->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_composer.get()));
    }

    void droppingAnImageFileAttachesIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("photo.png"));
        QVERIFY(testImage().save(path));
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(path)});
        drop(m_composer->edit()->viewport(), &data);
        QCOMPARE(m_composer->attachments()->count(), 1);
        QCOMPARE(m_composer->attachments()->image(0).size(), QSize(60, 30));
        QCOMPARE(m_composer->attachments()->names(), QStringList{QStringLiteral("photo.png")});
        QVERIFY(m_composer->text().isEmpty()); // no file path pasted as text
    }

    void droppingRawImageDataAttachesIt()
    {
        QMimeData data;
        data.setImageData(testImage());
        drop(m_composer->edit()->viewport(), &data);
        QCOMPARE(m_composer->attachments()->count(), 1);
        // Raw data is stored as PNG bytes.
        QVERIFY(m_composer->attachments()->encodedImages().first().startsWith("\x89PNG"));
        QCOMPARE(m_composer->attachments()->names(), QStringList{QStringLiteral("Pasted image")});
    }

    void aFileThatIsNoImageIsReported()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.txt"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("just text");
        file.close();
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(path)});
        data.setText(QStringLiteral("just text"));
        drop(m_composer->edit()->viewport(), &data);
        QCOMPARE(m_composer->attachments()->count(), 0);
    }

    void pastingAnImageAttachesIt()
    {
        auto* data = new QMimeData;
        data->setImageData(testImage());
        QGuiApplication::clipboard()->setMimeData(data);
        m_composer->edit()->setFocus();
        QTest::keyClick(m_composer->edit(), Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(m_composer->attachments()->count(), 1);
        QGuiApplication::clipboard()->setText(QStringLiteral("plain words"));
        QTest::keyClick(m_composer->edit(), Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(m_composer->text(), QStringLiteral("plain words"));
        QCOMPARE(m_composer->attachments()->count(), 1);
    }

    void removeButtonsRemoveTheirImage()
    {
        QImage other = testImage();
        other.fill(Qt::yellow);
        QMimeData first;
        first.setImageData(testImage());
        drop(m_composer->edit()->viewport(), &first);
        QMimeData second;
        second.setImageData(other);
        drop(m_composer->edit()->viewport(), &second);
        QCOMPARE(m_composer->attachments()->count(), 2);
        const auto removes = m_composer->findChildren<QToolButton*>(QStringLiteral("removeAttachmentButton"));
        QCOMPARE(removes.size(), 2);
        QVERIFY(!removes.first()->accessibleName().isEmpty());
        QTest::mouseClick(removes.first(), Qt::LeftButton);
        QCOMPARE(m_composer->attachments()->count(), 1);
        QCOMPARE(m_composer->attachments()->image(0).pixelColor(0, 0), QColor(Qt::yellow));
    }

    void sendCarriesTextAndImages()
    {
        QSignalSpy sent(m_composer.get(), &ComposerWidget::sendRequested);
        QMimeData data;
        data.setImageData(testImage());
        drop(m_composer->edit()->viewport(), &data);
        QTest::keyClicks(m_composer->edit(), QStringLiteral("What is it?"));
        QTest::keyClick(m_composer->edit(), Qt::Key_Enter);
        QCOMPARE(sent.count(), 1);
        QCOMPARE(sent.first().at(0).toString(), QStringLiteral("What is it?"));
        QCOMPARE(sent.first().at(1).value<QList<QByteArray>>().size(), 1);
    }

    void thePlaceholderIsRepaintedWhenItChanges()
    {
        // QPlainTextEdit does not repaint for a new placeholder; the composer must, or the old text stays.
        // Without focus no blinking cursor repaints the field, so only a repaint the composer asks for shows.
        m_composer->findChild<QWidget*>(QStringLiteral("attachButton"))->setFocus();
        QTRY_VERIFY(!m_composer->edit()->hasFocus());
        int paints = 0;
        PaintCounter counter(&paints);
        m_composer->edit()->viewport()->installEventFilter(&counter);
        m_composer->setCanSend(false, QStringLiteral("The model is loading"));
        QTRY_VERIFY(paints > 0);
        QTest::qWait(100);
        paints = 0;
        QTest::qWait(700); // longer than a cursor blink: nothing else repaints it
        QCOMPARE(paints, 0);
        m_composer->setCanSend(true, QStringLiteral("Ask about an image"));
        QCOMPARE(m_composer->edit()->placeholderText(), QStringLiteral("Ask about an image"));
        QTRY_VERIFY(paints > 0);
    }

    void theSendButtonSaysWhyItWaits()
    {
        auto* send = m_composer->sendButton();
        QVERIFY(!send->isEnabled());
        QCOMPARE(send->toolTip(), QStringLiteral("Write a message or attach an image first"));
        QTest::keyClicks(m_composer->edit(), QStringLiteral("hi"));
        QVERIFY(send->isEnabled());
        m_composer->setCanSend(false, QStringLiteral("Open a model to start a conversation"));
        QVERIFY(!send->isEnabled());
        QCOMPARE(send->toolTip(), QStringLiteral("Open a model to start a conversation"));
        m_composer->setGenerating(true);
        QVERIFY(send->isEnabled()); // it is Stop now
        QCOMPARE(send->accessibleName(), QStringLiteral("Stop generating"));
    }

    void aTextOnlyModelBlocksImagesWithANotice()
    {
        // The demo's base reads text only: an attached image must not be sent to it (the runtime would
        // refuse it); the composer says so under the card and on the button, and recovers once removed.
        auto* send = m_composer->sendButton();
        QSignalSpy sent(m_composer.get(), &ComposerWidget::sendRequested);
        m_composer->setModelGeometry(56, 14, false);
        QTest::keyClicks(m_composer->edit(), QStringLiteral("What is it?"));
        QVERIFY(send->isEnabled());
        QVERIFY(!m_composer->noticeLabel()->isVisibleTo(m_composer.get()));
        QMimeData data;
        data.setImageData(testImage());
        drop(m_composer->edit()->viewport(), &data);
        QCOMPARE(m_composer->attachments()->count(), 1);
        QVERIFY(!send->isEnabled());
        QCOMPARE(send->toolTip(), QStringLiteral("This model reads text only: remove the images first"));
        QVERIFY(m_composer->noticeLabel()->isVisibleTo(m_composer.get()));
        QVERIFY2(m_composer->noticeLabel()->text().startsWith(QStringLiteral("This model reads text only")),
                 qPrintable(m_composer->noticeLabel()->text()));
        QTest::keyClick(m_composer->edit(), Qt::Key_Enter);
        QCOMPARE(sent.count(), 0);
        // A model that sees lifts the block at once.
        m_composer->setModelGeometry(56, 14, true);
        QVERIFY(send->isEnabled());
        QVERIFY(!m_composer->noticeLabel()->isVisibleTo(m_composer.get()));
        // Back to text only, then the image removed: sending works again.
        m_composer->setModelGeometry(56, 14, false);
        QVERIFY(!send->isEnabled());
        m_composer->attachments()->clear();
        QVERIFY(send->isEnabled());
        QVERIFY(!m_composer->noticeLabel()->isVisibleTo(m_composer.get()));
        QTest::keyClick(m_composer->edit(), Qt::Key_Enter);
        QCOMPARE(sent.count(), 1);
    }

    void theTokenSummaryCountsPatches()
    {
        QCOMPARE(vora::ui::ImageViewerDialog::tokenSummary(448, 14), QStringLiteral("32x32 = 1024 tokens"));
        QCOMPARE(vora::ui::ImageViewerDialog::tokenSummary(56, 14), QStringLiteral("4x4 = 16 tokens"));
    }

private:
    std::unique_ptr<ComposerWidget> m_composer;
};

QTEST_MAIN(TestComposer)
#include "test_composer.moc"
