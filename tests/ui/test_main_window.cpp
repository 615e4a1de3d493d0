#include "app/chat/message_list_model.h"
#include "app/inference/chat_backend_factory.h"
#include "studio_fixture.h"
#include "ui/chat/chat_view.h"
#include "ui/chat/message_widget.h"
#include "ui/common/error_banner.h"
#include "ui/composer/attachment_strip.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/composer_widget.h"
#include "ui/common/icon_button.h"
#include "ui/main_window/chat_page.h"
#include "ui/main_window/model_header.h"

#include "app/models/recent_models_model.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QApplication>
#include <QDragEnterEvent>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QListView>
#include <QPushButton>
#include <QStatusBar>

using vora::app::MessageState;
using vora::tests::StudioFixture;

namespace {

bool hasVariedPixels(const QImage& image)
{
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 7) {
        for (int x = 0; x < image.width(); x += 7) {
            if (image.pixel(x, y) != first) {
                return true;
            }
        }
    }
    return false;
}

QStringList pieces(int count)
{
    QStringList result;
    for (int i = 0; i < count; ++i) {
        result.append(QStringLiteral("word%1 ").arg(i));
    }
    return result;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void opensWithAnInvitationToOpenAModel()
    {
        StudioFixture studio;
        studio.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(studio.window.get()));
        auto* open = studio.window->findChild<QPushButton*>(QStringLiteral("openModelButton"));
        QVERIFY(open);
        QVERIFY(open->isVisible());
        QVERIFY(!open->accessibleName().isEmpty());
        auto* send = studio.window->findChild<QAbstractButton*>(QStringLiteral("sendButton"));
        QVERIFY(send);
        QVERIFY(!send->isEnabled()); // nothing to talk to yet, and it says so
        QCOMPARE(send->toolTip(), QStringLiteral("Open a model to start a conversation"));
        QVERIFY(!studio.window->errorBanner()->isVisible());
        const QPixmap shot = studio.window->grab();
        QVERIFY(shot.width() >= 800);
        QVERIFY(hasVariedPixels(shot.toImage()));
    }

    void everyControlHasAnAccessibleName()
    {
        StudioFixture studio;
        QVERIFY(studio.loadModel());
        studio.window->show();
        QStringList unnamed;
        const auto widgets = studio.window->findChildren<QWidget*>();
        for (QWidget* widget : widgets) {
            auto* button = qobject_cast<QAbstractButton*>(widget);
            const bool control = button || qobject_cast<QAbstractItemView*>(widget)
                || qobject_cast<QPlainTextEdit*>(widget) || qobject_cast<QLineEdit*>(widget);
            // A button's text is its accessible name unless one is set.
            const bool named = !widget->accessibleName().isEmpty() || (button && !button->text().isEmpty());
            if (control && widget->isVisibleTo(studio.window.get()) && !named) {
                unnamed.append(widget->objectName() + QLatin1Char(':') + QString::fromLatin1(widget->metaObject()->className()));
            }
        }
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QLatin1Char(' '))));
    }

    void aFailedLoadShowsTheBannerAndLeavesTheAppUsable()
    {
        StudioFixture studio(vora::app::createDefaultChatBackend());
        studio.window->show();
        QSignalSpy failed(studio.host.get(), &vora::app::ModelHost::loadFailed);
        studio.host->loadModel(vora::tests::makeModelFolder(studio.dir.path()));
        QVERIFY(failed.wait());
        QVERIFY(studio.window->errorBanner()->isVisible());
        // The runtime names the file it could not use (the fixture's tokenizer.json is an empty object).
        QVERIFY2(studio.window->errorBanner()->details().contains(QStringLiteral("tokenizer.json")),
                 qPrintable(studio.window->errorBanner()->details()));
        // Still usable: a new chat can be started (a draft, not saved while empty) and the composer takes text.
        QVERIFY(QTest::qWaitForWindowActive(studio.window.get())); // shortcuts need the active window
        QTest::keyClick(studio.window.get(), Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(studio.controller->currentConversationId(), 0);
        QCOMPARE(studio.store.conversations().size(), 0);
        QTest::keyClicks(studio.window->composer()->edit(), QStringLiteral("hello"));
        QCOMPARE(studio.window->composer()->text(), QStringLiteral("hello"));
    }

    void anInvalidFolderSaysWhatIsMissing()
    {
        StudioFixture studio;
        studio.window->show();
        Q_EMIT studio.window->modelFolderChosen(studio.dir.path());
        QVERIFY(studio.window->errorBanner()->isVisible());
        QVERIFY(studio.window->errorBanner()->details().contains(QStringLiteral("config.json")));
    }

    void enterSendsAndEscapeStops()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.pieces = pieces(400);
        script.pieceDelayMs = 5;
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(studio.window.get()));
        QTest::keyClick(studio.window.get(), Qt::Key_L, Qt::ControlModifier);
        vora::ui::ComposerEdit* edit = studio.window->composer()->edit();
        QTRY_VERIFY(edit->hasFocus());
        QTest::keyClicks(edit, QStringLiteral("first line"));
        QTest::keyClick(edit, Qt::Key_Return, Qt::ShiftModifier);
        QTest::keyClicks(edit, QStringLiteral("second line"));
        QCOMPARE(edit->toPlainText(), QStringLiteral("first line\nsecond line"));
        QTest::keyClick(edit, Qt::Key_Return);
        QVERIFY(edit->toPlainText().isEmpty());
        QVERIFY(studio.controller->isGenerating());
        const auto* messages = studio.controller->messages();
        QTRY_VERIFY(!messages->at(1).text.isEmpty());
        QTest::keyClick(edit, Qt::Key_Escape);
        QVERIFY(studio.waitUntilIdle());
        QCOMPARE(messages->at(0).text, QStringLiteral("first line\nsecond line"));
        QCOMPARE(messages->at(1).state, MessageState::Stopped);
        vora::ui::MessageWidget* answer = studio.window->chatView()->messageWidget(1);
        QVERIFY(answer);
        QCOMPARE(answer->findChild<QLabel*>(QStringLiteral("messageState"))->text(), QStringLiteral("stopped"));
        auto* speed = studio.window->statusBar()->findChild<QLabel*>(QStringLiteral("speedStatus"));
        QVERIFY(speed->text().contains(QStringLiteral("tok/s")));
    }

    void aFailedAnswerShowsItsErrorOnceInTheMessage()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.pieces = pieces(5);
        script.generateError = QStringLiteral("tokenizer.json: unknown pre-tokenizer");
        script.failAfterPieces = 2;
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QVERIFY(studio.controller->send(QStringLiteral("hi"), {}));
        QVERIFY(studio.waitUntilIdle());
        QVERIFY(!studio.window->errorBanner()->isVisible()); // banner OR message: the message
        vora::ui::MessageWidget* answer = studio.window->chatView()->messageWidget(1);
        auto* error = answer->findChild<QLabel*>(QStringLiteral("messageError"));
        QVERIFY(error->isVisibleTo(studio.window.get()));
        QVERIFY(error->text().contains(QStringLiteral("pre-tokenizer")));
        QVERIFY(!answer->message().text.contains(QStringLiteral("pre-tokenizer")));
    }

    void regenerateAndEditFromTheMessageButtons()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.pieces = {QStringLiteral("answer")};
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QVERIFY(studio.controller->send(QStringLiteral("question"), {}));
        QVERIFY(studio.waitUntilIdle());
        vora::ui::MessageWidget* answer = studio.window->chatView()->messageWidget(1);
        QVERIFY(answer->actionsRevealed()); // the last message shows its actions without hovering
        QTest::mouseClick(answer->findChild<QAbstractButton*>(QStringLiteral("regenerateButton")), Qt::LeftButton);
        QVERIFY(studio.waitUntilIdle());
        QCOMPARE(studio.fake->generateCalls(), 2);
        vora::ui::MessageWidget* question = studio.window->chatView()->messageWidget(0);
        QVERIFY(!question->actionsRevealed()); // earlier messages show them on hover
        QTest::mouseMove(question);
        QTRY_VERIFY(question->actionsRevealed());
        QTest::mouseClick(question->findChild<QAbstractButton*>(QStringLiteral("editButton")), Qt::LeftButton);
        auto* editor = question->findChild<QPlainTextEdit*>(QStringLiteral("editMessageText"));
        QVERIFY(editor->isVisible());
        editor->setPlainText(QStringLiteral("better question"));
        QTest::mouseClick(question->findChild<QPushButton*>(QStringLiteral("resendButton")), Qt::LeftButton);
        QVERIFY(studio.waitUntilIdle());
        QCOMPARE(studio.controller->messages()->at(0).text, QStringLiteral("better question"));
        QCOMPARE(studio.fake->lastConversation().last().text, QStringLiteral("better question"));
    }

    void rawImagesDroppedOnTheWindowGoToTheComposer()
    {
        StudioFixture studio;
        studio.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(studio.window.get()));
        QImage image(32, 32, QImage::Format_RGB32);
        image.fill(Qt::magenta);
        QMimeData data;
        data.setImageData(image);
        QWidget* target = studio.window->chatView();
        const QPoint at = target->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(studio.window.get(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(studio.window.get(), &drop);
        QCOMPARE(studio.window->composer()->attachments()->count(), 1);
    }

    void loadingShowsProgressThenReady()
    {
        StudioFixture studio;
        studio.window->show();
        vora::app::FakeChatScript script;
        script.loadDelayMs = 600;
        studio.fake->setScript(script);
        auto* header = studio.window->chatPage()->header();
        auto* progress = header->findChild<QProgressBar*>(QStringLiteral("headerLoadProgress"));
        QVERIFY(progress);
        QVERIFY(!progress->isVisible());
        QCOMPARE(header->statusText(), QStringLiteral("No model"));
        QSignalSpy loaded(studio.host.get(), &vora::app::ModelHost::loaded);
        studio.host->loadModel(vora::tests::makeModelFolder(studio.dir.path()));
        QTRY_VERIFY(progress->isVisible());
        QVERIFY(header->statusText().startsWith(QStringLiteral("Loading")));
        QCOMPARE(header->picker()->text(), QStringLiteral("VoRA-7B-Instruct"));
        // The status bar names only a model that is ready.
        auto* model = studio.window->statusBar()->findChild<QLabel*>(QStringLiteral("modelStatus"));
        QVERIFY2(!model->text().contains(QStringLiteral("VoRA-7B-Instruct")), qPrintable(model->text()));
        QVERIFY(loaded.wait());
        QVERIFY(!progress->isVisible());
        QCOMPARE(header->statusText(), QStringLiteral("Ready"));
        QVERIFY(model->text().contains(QStringLiteral("VoRA-7B-Instruct")));
    }

    void aSuccessfulLoadIsRemembered()
    {
        StudioFixture studio;
        QCOMPARE(vora::app::RecentModelsModel(&studio.settings).rowCount(), 0);
        QVERIFY(studio.loadModel());
        QCOMPARE(vora::app::RecentModelsModel(&studio.settings).rowCount(), 1);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
