// Images are first-class: a drop carrying file URLs (text/uri-list, as a file manager sends it)
// attaches each file under its name, in order; several images per message keep their order through
// sending, storage, the backend and the chat; any image, attached or sent, opens the viewer with the
// original and what the model sees side by side at the same size (a 56-pixel model input shown
// enlarged, pixels kept square, the patch grid over it).
#include "app/chat/message_list_model.h"
#include "modal_helper.h"
#include "studio_fixture.h"
#include "ui/chat/chat_view.h"
#include "ui/chat/message_widget.h"
#include "ui/composer/attachment_strip.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/composer_widget.h"
#include "ui/composer/image_viewer_dialog.h"

#include <QAbstractButton>
#include <QDropEvent>
#include <QLabel>
#include <QMimeData>
#include <QToolButton>
#include <QUrl>

using vora::tests::StudioFixture;
using vora::tests::withModal;

namespace {

const QList<QColor> kColours = {QColor(220, 30, 30), QColor(30, 160, 60), QColor(30, 70, 220)};

// Writes one solid 40x20 PNG per colour; returns their paths.
QStringList writeImages(const QString& directory)
{
    QStringList paths;
    const QStringList names = {QStringLiteral("red.png"), QStringLiteral("green.png"), QStringLiteral("blue.png")};
    for (int i = 0; i < kColours.size(); ++i) {
        QImage image(40, 20, QImage::Format_RGB32);
        image.fill(kColours.at(i));
        paths.append(directory + QLatin1Char('/') + names.at(i));
        image.save(paths.last());
    }
    return paths;
}

// A drop as a file manager sends it: the files as text/uri-list (plus their paths as text).
void dropFiles(QWidget* target, const QStringList& paths)
{
    QMimeData data;
    QList<QUrl> urls;
    for (const QString& path : paths) {
        urls.append(QUrl::fromLocalFile(path));
    }
    data.setUrls(urls);
    data.setText(paths.join(QLatin1Char('\n')));
    QVERIFY(data.formats().contains(QStringLiteral("text/uri-list")));
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
}

QColor centre(const QString& path)
{
    const QImage image(path);
    return image.pixelColor(image.width() / 2, image.height() / 2);
}

} // namespace

class TestImages : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void severalDroppedImagesKeepTheirOrderAllTheWay()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.pieces = {QStringLiteral("three")};
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(studio.window.get()));
        const QStringList files = writeImages(studio.dir.path());
        // Onto the chat (the window takes it) and onto the text field: both attach.
        dropFiles(studio.window->chatView(), files.mid(0, 2));
        dropFiles(studio.window->composer()->edit()->viewport(), files.mid(2));
        vora::ui::AttachmentStrip* strip = studio.window->composer()->attachments();
        QCOMPARE(strip->names(), (QStringList{QStringLiteral("red.png"), QStringLiteral("green.png"), QStringLiteral("blue.png")}));
        QVERIFY(studio.window->composer()->text().isEmpty()); // no paths pasted as text
        // Each cell shows its file name under the thumbnail and an x badge on it.
        const auto names = strip->findChildren<QLabel*>(QStringLiteral("attachmentName"));
        QCOMPARE(names.size(), 3);
        QCOMPARE(strip->findChildren<QAbstractButton*>(QStringLiteral("removeAttachmentButton")).size(), 3);

        QTest::keyClicks(studio.window->composer()->edit(), QStringLiteral("Which colours, in order?"));
        QTest::keyClick(studio.window->composer()->edit(), Qt::Key_Return);
        QVERIFY(studio.waitUntilIdle());
        QCOMPARE(strip->count(), 0);
        // The backend got them in order...
        const QStringList seen = studio.fake->lastConversation().first().imagePaths;
        QCOMPARE(seen.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(centre(seen.at(i)), kColours.at(i));
        }
        // ...the store kept the order...
        const QList<vora::app::ChatMessage> stored = studio.store.messages(studio.controller->currentConversationId());
        QCOMPARE(stored.first().imagePaths, seen);
        // ...and the chat shows them in that order.
        vora::ui::MessageWidget* question = studio.window->chatView()->messageWidget(0);
        const auto shown = question->findChildren<QToolButton*>(QStringLiteral("messageImage"));
        QCOMPARE(shown.size(), 3);
        QList<QToolButton*> byPosition = shown;
        std::sort(byPosition.begin(), byPosition.end(), [](QToolButton* a, QToolButton* b) { return a->x() < b->x(); });
        for (int i = 0; i < 3; ++i) {
            const QImage icon = byPosition.at(i)->icon().pixmap(20, 10).toImage();
            QCOMPARE(icon.pixelColor(10, 5), kColours.at(i));
        }
    }

    void theXBadgeRemovesItsImage()
    {
        StudioFixture studio;
        studio.window->show();
        dropFiles(studio.window->composer()->edit()->viewport(), writeImages(studio.dir.path()));
        vora::ui::AttachmentStrip* strip = studio.window->composer()->attachments();
        const auto badges = strip->findChildren<QAbstractButton*>(QStringLiteral("removeAttachmentButton"));
        QAbstractButton* green = nullptr;
        for (QAbstractButton* badge : badges) {
            if (badge->accessibleName() == QStringLiteral("Remove image 2, green.png")) {
                green = badge;
            }
        }
        QVERIFY(green);
        QTest::mouseClick(green, Qt::LeftButton);
        QCOMPARE(strip->names(), (QStringList{QStringLiteral("red.png"), QStringLiteral("blue.png")}));
    }

    void anAttachedImageOpensTheViewer()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.info.imageSize = 56; // the tiny models' input: 4 x 4 patches
        script.info.patchSize = 14;
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QImage wide(200, 100, QImage::Format_RGB32);
        wide.fill(Qt::white);
        const QString path = studio.dir.filePath(QStringLiteral("wide.png"));
        QVERIFY(wide.save(path));
        studio.window->composer()->addImageFiles({path});
        auto* thumbnail = studio.window->composer()->findChild<QAbstractButton*>(QStringLiteral("attachmentThumbnail"));
        QVERIFY(withModal([&] { QTest::mouseClick(thumbnail, Qt::LeftButton); }, [&](QWidget* dialog) {
            auto* viewer = qobject_cast<vora::ui::ImageViewerDialog*>(dialog);
            QVERIFY(viewer);
            QCOMPARE(viewer->windowTitle(), QStringLiteral("wide.png"));
            QTRY_VERIFY(viewer->modelView()->shownRect().width() > 0);
            const QRect original = viewer->originalView()->shownRect();
            const QRect model = viewer->modelView()->shownRect();
            // Side by side at the same size: the 56-pixel input is enlarged to the pane, not drawn at 56.
            QVERIFY2(model.width() >= 4 * 56, qPrintable(QString::number(model.width())));
            QCOMPARE(viewer->modelView()->size(), viewer->originalView()->size());
            QVERIFY(original.width() >= 4 * 56);
            QVERIFY(viewer->modelView()->mapTo(viewer, QPoint()).x() > viewer->originalView()->mapTo(viewer, QPoint()).x());
            // What the model sees: the wide image padded with black above and below, a grid over it.
            const QImage shot = viewer->modelView()->grab().toImage();
            const qreal ratio = shot.devicePixelRatio();
            const auto at = [&](double fx, double fy) {
                return shot.pixelColor(int((model.left() + fx * model.width()) * ratio),
                                       int((model.top() + fy * model.height()) * ratio));
            };
            QCOMPARE(at(0.125, 0.1), QColor(Qt::black));  // top padding, inside a patch
            QCOMPARE(at(0.125, 0.375), QColor(Qt::white)); // the image, inside a patch
            const QColor line = at(0.25, 0.375);           // the patch boundary at x = 1/4
            QVERIFY2(line != QColor(Qt::white) && line.red() > line.green(), qPrintable(line.name()));
            QVERIFY(viewer->findChild<QLabel*>(QStringLiteral("tokenSummary"))->text().contains(QStringLiteral("4x4 = 16 tokens")));
            viewer->reject();
        }));
    }

    void aSentImageOpensTheViewer()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.pieces = {QStringLiteral("ok")};
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        const QStringList files = writeImages(studio.dir.path());
        studio.window->composer()->addImageFiles({files.at(2)});
        QTest::keyClicks(studio.window->composer()->edit(), QStringLiteral("colour?"));
        QTest::keyClick(studio.window->composer()->edit(), Qt::Key_Return);
        QVERIFY(studio.waitUntilIdle());
        auto* image = studio.window->chatView()->messageWidget(0)->findChild<QAbstractButton*>(QStringLiteral("messageImage"));
        QVERIFY(image);
        QVERIFY(withModal([&] { QTest::mouseClick(image, Qt::LeftButton); }, [&](QWidget* dialog) {
            auto* viewer = qobject_cast<vora::ui::ImageViewerDialog*>(dialog);
            QVERIFY(viewer);
            QTRY_VERIFY(viewer->originalView()->shownRect().width() > 0);
            const QImage shot = viewer->originalView()->grab().toImage();
            const QRect shown = viewer->originalView()->shownRect();
            const qreal ratio = shot.devicePixelRatio();
            QCOMPARE(shot.pixelColor(int(shown.center().x() * ratio), int(shown.center().y() * ratio)), kColours.at(2));
            viewer->reject();
        }));
    }
};

QTEST_MAIN(TestImages)
#include "test_images.moc"
