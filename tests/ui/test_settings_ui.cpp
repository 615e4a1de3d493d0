// Settings that stick, through the real dialogs: app-wide defaults (Preferences) that new chats
// inherit, a chat's own settings marked as such with a reset, every field explained in place, system
// prompt presets, the device list from the runtime with free memory, dtype and context reaching the
// next load; New Chat and settings changes on an empty chat save nothing; a relaunch reopens the last
// model and conversation.
#include "app/chat/message_list_model.h"
#include "app/settings/session_keeper.h"
#include "modal_helper.h"
#include "studio_fixture.h"
#include "ui/common/icon_button.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/composer_widget.h"
#include "ui/conversations/conversation_sidebar.h"
#include "ui/main_window/chat_page.h"
#include "ui/settings/chat_settings_dialog.h"
#include "ui/settings/generation_settings_form.h"
#include "ui/settings/preferences_dialog.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>

using vora::tests::StudioFixture;
using vora::tests::withModal;

namespace {

QPushButton* dialogButton(QWidget* dialog, QDialogButtonBox::StandardButton which)
{
    return dialog->findChild<QDialogButtonBox*>()->button(which);
}

} // namespace

class TestSettingsUi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void newChatsInheritThePreferencesAndChatsOverrideThem()
    {
        StudioFixture studio;
        QVERIFY(studio.loadModel()); // the fixture model: temperature 0.3, top_k 40
        studio.window->show();
        // Preferences > New chats: temperature 0.1 for every chat.
        QVERIFY(withModal([&] { studio.window->showPreferences(); }, [](QWidget* dialog) {
            auto* preferences = qobject_cast<vora::ui::PreferencesDialog*>(dialog);
            QVERIFY(preferences);
            auto* temperature = qobject_cast<QDoubleSpinBox*>(preferences->form()->editor(QStringLiteral("temperature")));
            QCOMPARE(temperature->value(), 0.3); // the model's value, not marked
            QVERIFY(!preferences->form()->isOverridden(QStringLiteral("temperature")));
            temperature->setValue(0.1);
            QVERIFY(preferences->form()->isOverridden(QStringLiteral("temperature")));
            QTest::mouseClick(dialogButton(dialog, QDialogButtonBox::Save), Qt::LeftButton);
        }));
        QCOMPARE(studio.appSettings.chatDefaults().value(QStringLiteral("temperature")).toDouble(), 0.1);

        // Chat settings of the new chat: inherits 0.1 (not this chat's own); sets top_k 5 of its own.
        QVERIFY(withModal([&] { studio.window->showChatSettings(); }, [](QWidget* dialog) {
            auto* settings = qobject_cast<vora::ui::ChatSettingsDialog*>(dialog);
            QVERIFY(settings);
            vora::ui::GenerationSettingsForm* form = settings->form();
            QCOMPARE(qobject_cast<QDoubleSpinBox*>(form->editor(QStringLiteral("temperature")))->value(), 0.1);
            QVERIFY(!form->isOverridden(QStringLiteral("temperature")));
            auto* topK = qobject_cast<QSpinBox*>(form->editor(QStringLiteral("top_k")));
            QCOMPARE(topK->value(), 40);
            topK->setValue(5);
            QVERIFY(form->isOverridden(QStringLiteral("top_k")));
            auto* reset = form->findChild<QAbstractButton*>(QStringLiteral("top_k_reset"));
            QVERIFY(reset->isEnabled());
            // The field's label says it is this chat's own.
            const auto labels = form->findChildren<QLabel*>();
            QVERIFY(std::any_of(labels.begin(), labels.end(), [](QLabel* l) {
                return l->text().startsWith(QStringLiteral("<b>Top-k</b>")) && l->text().contains(QStringLiteral("this chat"));
            }));
            QTest::mouseClick(dialogButton(dialog, QDialogButtonBox::Save), Qt::LeftButton);
        }));
        QVERIFY(studio.controller->send(QStringLiteral("hello"), {}));
        QVERIFY(studio.waitUntilIdle());
        QCOMPARE(studio.fake->lastSettings().sampling.temperature, 0.1);
        QCOMPARE(studio.fake->lastSettings().sampling.topK, 5);
        const qint64 first = studio.controller->currentConversationId();
        QCOMPARE(studio.store.conversationOverrides(first), (QJsonObject{{QStringLiteral("top_k"), 5}}));

        // A second chat inherits 0.1 and the model's top_k; the reset button brings a field back.
        studio.controller->newConversation();
        QVERIFY(withModal([&] { studio.window->showChatSettings(); }, [](QWidget* dialog) {
            vora::ui::GenerationSettingsForm* form = qobject_cast<vora::ui::ChatSettingsDialog*>(dialog)->form();
            auto* topK = qobject_cast<QSpinBox*>(form->editor(QStringLiteral("top_k")));
            QCOMPARE(topK->value(), 40);
            topK->setValue(9);
            QTest::mouseClick(form->findChild<QAbstractButton*>(QStringLiteral("top_k_reset")), Qt::LeftButton);
            QCOMPARE(topK->value(), 40);
            QVERIFY(!form->isOverridden(QStringLiteral("top_k")));
            QTest::mouseClick(dialogButton(dialog, QDialogButtonBox::Save), Qt::LeftButton);
        }));
        QVERIFY(studio.controller->send(QStringLiteral("again"), {}));
        QVERIFY(studio.waitUntilIdle());
        QCOMPARE(studio.fake->lastSettings().sampling.temperature, 0.1);
        QCOMPARE(studio.fake->lastSettings().sampling.topK, 40);
        // "Use the defaults" drops the first chat's own settings.
        studio.controller->openConversation(first);
        QVERIFY(withModal([&] { studio.window->showChatSettings(); }, [](QWidget* dialog) {
            QTest::mouseClick(dialog->findChild<QAbstractButton*>(QStringLiteral("useDefaultsButton")), Qt::LeftButton);
            QTest::mouseClick(dialogButton(dialog, QDialogButtonBox::Save), Qt::LeftButton);
        }));
        QVERIFY(studio.store.conversationOverrides(first).isEmpty());
    }

    void everyFieldIsExplainedInPlace()
    {
        StudioFixture studio;
        vora::ui::ChatSettingsDialog dialog(QStringLiteral("Chat"), {}, {}, &studio.appSettings);
        const QStringList keys = {QStringLiteral("system_prompt"),     QStringLiteral("temperature"),   QStringLiteral("top_p"),
                                  QStringLiteral("top_k"),             QStringLiteral("min_p"),         QStringLiteral("repetition_penalty"),
                                  QStringLiteral("seed"),              QStringLiteral("max_new_tokens"), QStringLiteral("min_new_tokens"),
                                  QStringLiteral("stop_strings")};
        int explained = 0;
        for (const QString& key : keys) {
            QWidget* editor = dialog.form()->editor(key);
            QVERIFY2(editor, qPrintable(key));
            QVERIFY2(editor->accessibleDescription().size() > 30, qPrintable(key));
            // The explanation is on screen under the field, not only in a tooltip.
            const auto labels = dialog.findChildren<QLabel*>();
            const bool shown = std::any_of(labels.begin(), labels.end(), [&](QLabel* label) {
                return label->text() == editor->accessibleDescription();
            });
            QVERIFY2(shown, qPrintable(key));
            ++explained;
        }
        QCOMPARE(explained, 10);
    }

    void presetsFillTheSystemPrompt()
    {
        StudioFixture studio;
        QVERIFY(studio.appSettings.saveSystemPromptPreset(QStringLiteral("Pirate"), QStringLiteral("Talk like a pirate.")));
        vora::ui::ChatSettingsDialog dialog(QStringLiteral("Chat"), {}, {}, &studio.appSettings);
        auto* presets = dialog.findChild<QComboBox*>(QStringLiteral("systemPromptPresets"));
        auto* prompt = qobject_cast<QPlainTextEdit*>(dialog.form()->editor(QStringLiteral("system_prompt")));
        QCOMPARE(presets->currentText(), QStringLiteral("Model default"));
        const int pirate = presets->findText(QStringLiteral("Pirate"));
        QVERIFY(pirate > 0);
        presets->setCurrentIndex(pirate);
        Q_EMIT presets->activated(pirate);
        QCOMPARE(prompt->toPlainText(), QStringLiteral("Talk like a pirate."));
        QCOMPARE(dialog.overrides().value(QStringLiteral("system_prompt")).toString(), QStringLiteral("Talk like a pirate."));
        const int brief = presets->findText(QStringLiteral("Short answers"));
        Q_EMIT presets->activated(brief);
        QVERIFY(prompt->toPlainText().contains(QStringLiteral("one or two short sentences")));
        QVERIFY(!studio.appSettings.saveSystemPromptPreset(QStringLiteral("Short answers"), QStringLiteral("x"))); // built in
    }

    void theDeviceListComesFromTheRuntimeAndReachesTheNextLoad()
    {
        StudioFixture studio;
        studio.window->show();
        QVERIFY(withModal([&] { studio.window->showPreferences(); }, [](QWidget* dialog) {
            auto* preferences = qobject_cast<vora::ui::PreferencesDialog*>(dialog);
            QComboBox* device = preferences->deviceChoice();
            QVERIFY(device->count() >= 2); // automatic + the CPU (+ each CUDA device)
            const int cpu = device->findData(QStringLiteral("cpu"));
            QVERIFY(cpu > 0);
            QVERIFY2(device->itemText(cpu).startsWith(QStringLiteral("CPU · ")), qPrintable(device->itemText(cpu)));
            QVERIFY2(device->itemText(cpu).contains(QStringLiteral("GiB free")), qPrintable(device->itemText(cpu)));
            device->setCurrentIndex(cpu);
            auto* dtype = dialog->findChild<QComboBox*>(QStringLiteral("dtypeChoice"));
            dtype->setCurrentIndex(dtype->findData(QStringLiteral("bfloat16")));
            dialog->findChild<QSpinBox*>(QStringLiteral("contextChoice"))->setValue(2048);
            auto* attention = dialog->findChild<QComboBox*>(QStringLiteral("attentionDetailChoice"));
            QCOMPARE(attention->currentIndex(), 2); // per layer, the default
            attention->setCurrentIndex(3);
            dialog->findChild<QSpinBox*>(QStringLiteral("attentionLimitChoice"))->setValue(4);
            QTest::mouseClick(dialogButton(dialog, QDialogButtonBox::Save), Qt::LeftButton);
        }));
        QVERIFY(studio.loadModel());
        const vora::app::ModelLoadOptions used = studio.fake->lastLoadOptions();
        QCOMPARE(used.device, QStringLiteral("cpu"));
        QCOMPARE(used.dtype, QStringLiteral("bfloat16"));
        QCOMPARE(used.maxContext, 2048);
        QCOMPARE(studio.host->info().maxContext, 2048);
        // The attention preference reaches the controller that asks for the capture.
        QCOMPARE(studio.controller->attentionDetail(), vora::app::AttentionDetailLevel::Heads);
        QCOMPARE(studio.appSettings.attentionMaxBytes(), qint64(4) << 20);
    }

    void emptyChatsAreNotSaved()
    {
        StudioFixture studio;
        QVERIFY(studio.loadModel());
        studio.window->show();
        QVERIFY(QTest::qWaitForWindowActive(studio.window.get())); // shortcuts need the active window
        for (int i = 0; i < 3; ++i) {
            QTest::keyClick(studio.window.get(), Qt::Key_N, Qt::ControlModifier);
        }
        QVERIFY(withModal([&] { studio.window->showChatSettings(); }, [](QWidget* dialog) {
            auto* form = qobject_cast<vora::ui::ChatSettingsDialog*>(dialog)->form();
            qobject_cast<QSpinBox*>(form->editor(QStringLiteral("max_new_tokens")))->setValue(64);
            QTest::mouseClick(dialogButton(dialog, QDialogButtonBox::Save), Qt::LeftButton);
        }));
        QCOMPARE(studio.store.conversations().size(), 0);
        auto* empty = studio.window->chatPage()->sidebar()->emptyLabel();
        QVERIFY(empty->isVisible());
        QVERIFY(empty->text().startsWith(QStringLiteral("No conversations yet.")));
        // The first message saves the chat, with the settings chosen before it.
        QTest::keyClicks(studio.window->composer()->edit(), QStringLiteral("hello"));
        QTest::keyClick(studio.window->composer()->edit(), Qt::Key_Return);
        QVERIFY(studio.waitUntilIdle());
        QCOMPARE(studio.store.conversations().size(), 1);
        QCOMPARE(studio.fake->lastSettings().stop.maxNewTokens, 64);
        QVERIFY(!empty->isVisible());
        // Ctrl+N from a saved chat: still one row.
        studio.window->activateWindow(); // the settings dialog had it
        QVERIFY(QTest::qWaitForWindowActive(studio.window.get()));
        QTest::keyClick(studio.window.get(), Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(studio.controller->currentConversationId(), 0);
        QCOMPARE(studio.store.conversations().size(), 1);
        QCOMPARE(studio.window->windowTitle(), QStringLiteral("New chat \u2014 VoRA Studio"));
    }

    void aRelaunchReopensTheLastModelAndConversation()
    {
        QTemporaryDir root;
        qint64 conversation = 0;
        QString model;
        {
            StudioFixture first(nullptr, root.path());
            vora::app::SessionKeeper keeper(&first.appSettings, first.controller.get());
            QVERIFY(first.loadModel());
            model = first.host->info().path;
            first.window->show();
            QTest::keyClicks(first.window->composer()->edit(), QStringLiteral("remember this"));
            QTest::keyClick(first.window->composer()->edit(), Qt::Key_Return);
            QVERIFY(first.waitUntilIdle());
            conversation = first.controller->currentConversationId();
        }
        StudioFixture second(nullptr, root.path());
        vora::app::SessionKeeper keeper(&second.appSettings, second.controller.get());
        second.window->show();
        QSignalSpy loaded(second.host.get(), &vora::app::ModelHost::loaded);
        keeper.start(keeper.plan({}));
        QCOMPARE(second.controller->currentConversationId(), conversation);
        QCOMPARE(second.controller->messages()->rowCount(), 2);
        QCOMPARE(second.controller->messages()->at(0).text, QStringLiteral("remember this"));
        QVERIFY(loaded.wait());
        QCOMPARE(second.host->info().path, model);
        QCOMPARE(second.window->windowTitle(), QStringLiteral("remember this \u2014 VoRA Studio"));
        QCOMPARE(second.window->chatPage()->sidebar()->listView()->currentIndex().row(), 0);

        // The user turns it off in Preferences ("Startup"); the next launch opens nothing and a new chat.
        QVERIFY(withModal([&] { second.window->showPreferences(); }, [](QWidget* dialog) {
            auto* reopen = dialog->findChild<QCheckBox*>(QStringLiteral("reopenChoice"));
            QVERIFY(reopen && reopen->isChecked()); // on by default
            reopen->setChecked(false);
            QTest::mouseClick(dialogButton(dialog, QDialogButtonBox::Save), Qt::LeftButton);
        }));
        QVERIFY(!second.appSettings.reopenLastSession());
        const vora::app::LaunchPlan off = keeper.plan({});
        QVERIFY(off.model.isEmpty());
        QCOMPARE(off.conversation, qint64(0));
    }
};

QTEST_MAIN(TestSettingsUi)
#include "test_settings_ui.moc"
