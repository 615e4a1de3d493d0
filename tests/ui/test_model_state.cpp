// Model state you can trust, through the real window: the header's picker (recent models, eject), its
// status and the demo model's note; actions that cannot work are disabled and say why; the status bar
// never names a model still loading; an error shows once; a tokenizer that does not belong to its model
// is refused at load with a plain message (the real runtime); a budget the context cannot hold is
// clamped with a notice in the chat; the composer's context meter shows what the next message takes.
#include "app/chat/message_list_model.h"
#include "app/inference/chat_backend_factory.h"
#include "app/models/recent_models_model.h"
#include "studio_fixture.h"
#include "ui/chat/chat_view.h"
#include "ui/chat/message_widget.h"
#include "ui/common/error_banner.h"
#include "ui/common/icon_button.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/composer_widget.h"
#include "ui/composer/context_meter_widget.h"
#include "ui/common/tone_label.h"
#include "ui/main_window/chat_page.h"
#include "ui/main_window/model_header.h"

#include <QAbstractButton>
#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QStatusBar>

using vora::app::ModelHost;
using vora::tests::StudioFixture;

namespace {

QAbstractButton* button(QWidget* parent, const char* name)
{
    return parent->findChild<QAbstractButton*>(QLatin1String(name));
}

bool copyFolder(const QString& from, const QString& to)
{
    QDir().mkpath(to);
    for (const QString& name : QDir(from).entryList(QDir::Files)) {
        if (!QFile::copy(QDir(from).filePath(name), QDir(to).filePath(name))) {
            return false;
        }
    }
    return true;
}

} // namespace

class TestModelState : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void actionsThatCannotWorkAreDisabledWithAReason()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.pieces = QStringList(300, QStringLiteral("w "));
        script.pieceDelayMs = 5;
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QVERIFY(studio.controller->send(QStringLiteral("question"), {}));
        vora::ui::ChatView* chat = studio.window->chatView();
        // While the answer streams: regenerate and edit wait, and say why.
        QTRY_VERIFY(chat->messageWidget(1) != nullptr);
        QAbstractButton* regenerate = button(chat->messageWidget(1), "regenerateButton");
        QAbstractButton* edit = button(chat->messageWidget(0), "editButton");
        QVERIFY(!regenerate->isEnabled());
        QVERIFY2(regenerate->toolTip().contains(QStringLiteral("wait for the answer to finish")), qPrintable(regenerate->toolTip()));
        QVERIFY(!edit->isEnabled());
        QVERIFY(studio.waitUntilIdle());
        QVERIFY(regenerate->isEnabled());
        QCOMPARE(regenerate->toolTip(), QStringLiteral("Regenerate answer"));
        // No model: they are disabled with the reason, and clicking does nothing.
        studio.host->ejectModel();
        QVERIFY(!regenerate->isEnabled());
        QVERIFY2(regenerate->toolTip().contains(QStringLiteral("open a model first")), qPrintable(regenerate->toolTip()));
        QVERIFY(!edit->isEnabled());
        QVERIFY(edit->toolTip().contains(QStringLiteral("open a model first")));
        const int calls = studio.fake->generateCalls();
        QTest::mouseClick(regenerate, Qt::LeftButton);
        QCOMPARE(studio.fake->generateCalls(), calls);
        // The copy action needs no model.
        QVERIFY(button(chat->messageWidget(1), "copyMessageButton")->isEnabled());
        auto* send = studio.window->composer()->sendButton();
        QVERIFY(!send->isEnabled());
        QCOMPARE(send->toolTip(), QStringLiteral("Open a model to start a conversation"));
        auto* eject = studio.window->chatPage()->header()->findChild<QAbstractButton*>(QStringLiteral("ejectButton"));
        QVERIFY(!eject->isEnabled());
        QCOMPARE(eject->toolTip(), QStringLiteral("No model to eject"));
    }

    void thePlaceholderFollowsTheModelState()
    {
        StudioFixture studio;
        studio.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(studio.window.get()));
        vora::ui::ComposerEdit* edit = studio.window->composer()->edit();
        QCOMPARE(edit->placeholderText(), QStringLiteral("Open a model to start a conversation"));
        vora::app::FakeChatScript script;
        script.loadDelayMs = 400;
        studio.fake->setScript(script);
        QSignalSpy loaded(studio.host.get(), &ModelHost::loaded);
        studio.host->loadModel(vora::tests::makeModelFolder(studio.dir.path()));
        QCOMPARE(edit->placeholderText(), QStringLiteral("The model is loading; you can write already"));
        QVERIFY(loaded.wait());
        QCOMPARE(edit->placeholderText(), QStringLiteral("Ask about an image, or anything else"));
        // What is on screen says so too (the repaint itself: test_composer's placeholder test).
        const QImage shot = edit->viewport()->grab().toImage();
        QVERIFY(!shot.isNull());
        studio.host->ejectModel();
        QCOMPARE(edit->placeholderText(), QStringLiteral("Open a model to start a conversation"));
    }

    void thePickerListsRecentModelsAndEjects()
    {
        StudioFixture studio;
        studio.window->show();
        const QString other = vora::tests::makeModelFolder(studio.dir.path(), QStringLiteral("Other-Model"));
        QSignalSpy loaded(studio.host.get(), &ModelHost::loaded);
        studio.host->loadModel(other);
        QVERIFY(loaded.wait());
        QVERIFY(studio.loadModel()); // VoRA-7B-Instruct, now the current one
        vora::ui::ModelHeader* header = studio.window->chatPage()->header();
        QCOMPARE(header->picker()->text(), QStringLiteral("VoRA-7B-Instruct"));
        QCOMPARE(header->statusText(), QStringLiteral("Ready"));
        // The header names where and how the model runs: device, dtype, context.
        const vora::app::ModelInfo& info = studio.host->info();
        QVERIFY(!info.device.isEmpty() && !info.dtype.isEmpty());
        QCOMPARE(header->detailsText(), info.device + QStringLiteral(" · ") + info.dtype + QStringLiteral(" · 4,096-token context"));
        QMenu* menu = header->pickerMenu();
        Q_EMIT menu->aboutToShow();
        QStringList entries;
        QAction* current = nullptr;
        QAction* otherEntry = nullptr;
        QAction* eject = nullptr;
        for (QAction* action : menu->actions()) {
            entries.append(action->text());
            if (action->isChecked()) {
                current = action;
            }
            if (action->text() == QStringLiteral("Other-Model")) {
                otherEntry = action;
            }
            if (action->text() == QStringLiteral("Eject the model")) {
                eject = action;
            }
        }
        QVERIFY2(current && current->text() == QStringLiteral("VoRA-7B-Instruct"), qPrintable(entries.join(QLatin1Char('|'))));
        QVERIFY(otherEntry && eject && eject->isEnabled());
        QVERIFY(entries.contains(QStringLiteral("Open a model folder…")));
        otherEntry->trigger(); // switch through the picker
        QVERIFY(loaded.wait());
        QCOMPARE(studio.host->info().name, QStringLiteral("Other-Model"));
        eject->trigger();
        QCOMPARE(studio.host->state(), ModelHost::ModelState::None);
        QCOMPARE(header->statusText(), QStringLiteral("No model"));
        QCOMPARE(header->picker()->text(), QStringLiteral("Choose a model"));
    }

    void theStatusBarNeverNamesAModelStillLoading()
    {
        StudioFixture studio;
        studio.window->show();
        QVERIFY(studio.loadModel());
        auto* status = studio.window->statusBar()->findChild<QLabel*>(QStringLiteral("modelStatus"));
        QVERIFY(status->text().startsWith(QStringLiteral("VoRA-7B-Instruct")));
        vora::app::FakeChatScript slow;
        slow.loadDelayMs = 500;
        studio.fake->setScript(slow);
        QSignalSpy loaded(studio.host.get(), &ModelHost::loaded);
        studio.host->loadModel(vora::tests::makeModelFolder(studio.dir.path(), QStringLiteral("Second-Model")));
        QCOMPARE(studio.host->state(), ModelHost::ModelState::Loading);
        QVERIFY2(!status->text().contains(QStringLiteral("VoRA-7B-Instruct")), qPrintable(status->text()));
        QVERIFY2(!status->text().contains(QStringLiteral("Second-Model")), qPrintable(status->text()));
        QVERIFY(loaded.wait());
        QVERIFY(status->text().startsWith(QStringLiteral("Second-Model")));
    }

    void aLoadErrorShowsOnceInTheBanner()
    {
        StudioFixture studio;
        studio.window->show();
        vora::app::FakeChatScript broken;
        broken.loadError = QStringLiteral("weight lm_head.weight has shape [3, 4], expected [151936, 3584]");
        studio.fake->setScript(broken);
        QSignalSpy failed(studio.host.get(), &ModelHost::loadFailed);
        studio.host->loadModel(vora::tests::makeModelFolder(studio.dir.path()));
        QVERIFY(failed.wait());
        QVERIFY(studio.window->errorBanner()->isVisible());
        QCOMPARE(studio.window->errorBanner()->title(), QStringLiteral("The model could not be opened"));
        QCOMPARE(studio.controller->messages()->rowCount(), 0); // not also in the chat
        QCOMPARE(studio.window->chatPage()->header()->statusText(), QStringLiteral("No model"));
    }

    void aForeignTokenizerIsNamedAtLoad()
    {
        // The real runtime: the 256-token reference model with the 151k-token Qwen2 tokenizer beside it.
        StudioFixture studio(vora::app::createDefaultChatBackend());
        studio.window->show();
        const QString model = studio.dir.filePath(QStringLiteral("mismatch"));
        QVERIFY(copyFolder(QStringLiteral(VORA_TEST_DATA_DIR "/tiny_models/qwen2_vora_merged"), model));
        QVERIFY(copyFolder(QStringLiteral(VORA_TEST_DATA_DIR "/tokenizers/qwen2"), model));
        QSignalSpy failed(studio.host.get(), &ModelHost::loadFailed);
        studio.host->loadModel(model);
        QVERIFY(failed.wait(60000));
        vora::ui::ErrorBanner* banner = studio.window->errorBanner();
        QVERIFY(banner->isVisible());
        QCOMPARE(banner->title(), QStringLiteral("The model could not be opened"));
        QVERIFY2(banner->details().contains(QStringLiteral("the tokenizer does not match the model")), qPrintable(banner->details()));
        QVERIFY2(banner->details().contains(QStringLiteral("has only 256 entries")), qPrintable(banner->details()));
        QVERIFY(banner->details().contains(QStringLiteral("put this model's own tokenizer files")));
    }

    void theDemoModelSaysWhatItKnows()
    {
        StudioFixture studio;
        studio.window->show();
        const QString demo = vora::tests::makeModelFolder(studio.dir.path(), QStringLiteral("demo"));
        vora::tests::writeFile(QDir(demo).filePath(QStringLiteral("config.json")),
                               R"({"model_type": "vora", "architectures": ["VoRAForCausalLM"], "vora_studio_demo": true,
                                   "demo_model_note": "I know coloured shapes and written numbers."})");
        QSignalSpy loaded(studio.host.get(), &ModelHost::loaded);
        studio.host->loadModel(demo);
        QVERIFY(loaded.wait());
        vora::ui::ModelHeader* header = studio.window->chatPage()->header();
        QCOMPARE(header->noteText(), QStringLiteral("I know coloured shapes and written numbers."));
        QCOMPARE(studio.window->composer()->edit()->placeholderText(), QStringLiteral("Ask about the shapes or the number in a picture"));
        // A demo folder without a note of its own gets the app's sentence about shapes and numbers.
        vora::tests::writeFile(QDir(demo).filePath(QStringLiteral("config.json")),
                               R"({"model_type": "vora", "vora_studio_demo": true})");
        studio.host->loadModel(demo);
        QVERIFY(loaded.wait());
        QVERIFY2(header->noteText().contains(QStringLiteral("coloured shapes")) && header->noteText().contains(QStringLiteral("numbers")),
                 qPrintable(header->noteText()));
        // The demo's text-only base (what packaging/demo-model builds until the trained parts ship) never
        // claims to see: its own sentence says it is the base, the header adds that it reads text only,
        // and the composer does not invite questions about pictures.
        vora::app::FakeChatScript textOnly;
        textOnly.info.hasVision = false;
        studio.fake->setScript(textOnly);
        vora::tests::writeFile(QDir(demo).filePath(QStringLiteral("config.json")),
                               R"({"model_type": "llama", "vora_studio_demo": true})");
        studio.host->loadModel(demo);
        QVERIFY(loaded.wait());
        QVERIFY2(header->noteText().contains(QStringLiteral("base of VoRA Studio's demo model"))
                     && header->noteText().contains(QStringLiteral("not been taught to see"))
                     && header->noteText().endsWith(QStringLiteral("This model reads text only: it cannot look at images.")),
                 qPrintable(header->noteText()));
        QVERIFY(!header->noteText().contains(QStringLiteral("It was taught simple pictures")));
        QCOMPARE(studio.window->composer()->edit()->placeholderText(), QStringLiteral("Write a message"));
        // Any other model shows no note.
        QVERIFY(studio.loadModel());
        QVERIFY(header->noteText().isEmpty());
    }

    void aBudgetTheContextCannotHoldIsClampedWithANoticeInTheChat()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.info.maxContext = 64;
        script.pieces = QStringList(100, QStringLiteral("w "));
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QTest::keyClicks(studio.window->composer()->edit(), QStringLiteral("one two three"));
        QTest::keyClick(studio.window->composer()->edit(), Qt::Key_Return);
        QVERIFY(studio.waitUntilIdle());
        vora::ui::MessageWidget* answer = studio.window->chatView()->messageWidget(1);
        auto* notice = answer->findChild<QLabel*>(QStringLiteral("messageNotice"));
        QVERIFY(notice->isVisibleTo(studio.window.get()));
        QVERIFY2(notice->text().contains(QStringLiteral("at most 49 new tokens instead of 512")), qPrintable(notice->text()));
        QCOMPARE(answer->message().state, vora::app::MessageState::Complete); // not an error
        QCOMPARE(studio.fake->lastSettings().stop.maxNewTokens, 49);
        QVERIFY(!studio.window->errorBanner()->isVisible());
    }

    void theContextMeterShowsWhatTheNextMessageTakes()
    {
        StudioFixture studio;
        vora::app::FakeChatScript script;
        script.info.maxContext = 2048;
        script.info.imageSize = 224;
        script.info.patchSize = 14;
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        vora::ui::ComposerWidget* composer = studio.window->composer();
        vora::ui::ContextMeterWidget* meter = composer->contextMeter();
        QTRY_VERIFY(meter->isVisible()); // counted once the model is ready: 8 positions of template
        QCOMPARE(meter->label(), QStringLiteral("8 / 2.0k"));
        QTest::keyClicks(composer->edit(), QStringLiteral("how many shapes"));
        QTRY_COMPARE(meter->usage().promptTokens, qint64(15));
        QVERIFY(meter->toolTip().contains(QStringLiteral("15 of the model's 2,048-token context")));
        QVERIFY(!composer->noticeLabel()->isVisible());
        // Eight 256-token images do not fit: the line under the composer says what to change.
        QImage image(30, 30, QImage::Format_RGB32);
        image.fill(Qt::red);
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
        composer->addImages(QList<vora::ui::NamedImage>(8, {png, QStringLiteral("red.png")}));
        QTRY_VERIFY(meter->usage().full());
        QVERIFY(composer->noticeLabel()->isVisible());
        QVERIFY2(composer->noticeLabel()->text().contains(QStringLiteral("start a new chat, remove an image, or shorten your message")),
                 qPrintable(composer->noticeLabel()->text()));
    }
};

QTEST_MAIN(TestModelState)
#include "test_model_state.moc"
