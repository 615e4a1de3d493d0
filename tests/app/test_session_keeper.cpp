// Launches pick up where the last one ended: the model that was loaded and the conversation that was
// open are recorded and planned again; an eject forgets the model; --first-launch-only applies the
// demo model and its sample image on the first launch only; the preference turns reopening off.
#include "app/chat/conversation_controller.h"
#include "app/inference/fake_chat_backend.h"
#include "app/settings/app_settings.h"
#include "app/settings/session_keeper.h"
#include "app/storage/conversation_store.h"
#include "model_folder_fixture.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vora::app;

namespace {

// One launch of the app over a shared settings file and data folder.
struct Launch {
    explicit Launch(const QString& root)
        : qsettings(root + QStringLiteral("/settings.ini"), QSettings::IniFormat)
        , settings(&qsettings)
        , store(root + QStringLiteral("/data"))
        , host(std::make_unique<FakeChatBackend>())
        , controller(&store, &host, &settings)
        , keeper(&settings, &controller)
    {
    }

    QSettings qsettings;
    AppSettings settings;
    ConversationStore store;
    ModelHost host;
    ConversationController controller;
    SessionKeeper keeper;
};

} // namespace

class TestSessionKeeper : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theFirstLaunchOpensTheDemoAndLaterOnesTheLastSession()
    {
        QTemporaryDir dir;
        const QString demo = vora::tests::makeModelFolder(dir.path(), QStringLiteral("demo"));
        const QString other = vora::tests::makeModelFolder(dir.path(), QStringLiteral("other"));
        const LaunchOptions packaged{demo, {QStringLiteral("/samples/scene.png")}, true};
        qint64 conversation = 0;
        {
            Launch first(dir.path());
            QVERIFY(first.settings.isFirstLaunch());
            const LaunchPlan plan = first.keeper.plan(packaged);
            QCOMPARE(plan.model, demo);
            QCOMPARE(plan.attachments, QStringList{QStringLiteral("/samples/scene.png")});
            QCOMPARE(plan.conversation, 0);
            QSignalSpy loaded(&first.host, &ModelHost::loaded);
            first.keeper.start(plan);
            QVERIFY(loaded.wait());
            // The user opens another model and talks to it.
            first.host.loadModel(other);
            QVERIFY(loaded.wait());
            QVERIFY(first.controller.send(QStringLiteral("remember me"), {}));
            QVERIFY(QTest::qWaitFor([&] { return !first.controller.isGenerating(); }, 10000));
            conversation = first.controller.currentConversationId();
            QVERIFY(conversation != 0);
        }
        {
            Launch second(dir.path());
            QVERIFY(!second.settings.isFirstLaunch());
            const LaunchPlan plan = second.keeper.plan(packaged);
            QCOMPARE(plan.model, other); // not the demo again
            QVERIFY(plan.attachments.isEmpty());
            QCOMPARE(plan.conversation, conversation);
            second.keeper.start(plan);
            QCOMPARE(second.controller.currentConversationId(), conversation);
            QCOMPARE(second.host.state(), ModelHost::ModelState::Loading);
            QSignalSpy loaded(&second.host, &ModelHost::loaded);
            QVERIFY(loaded.wait());
            // An explicit --model (without --first-launch-only) wins over the last model.
            QCOMPARE(second.keeper.plan({demo, {}, false}).model, demo);
            // Eject forgets the model; a new chat is what the next launch opens.
            second.host.ejectModel();
            second.controller.newConversation();
        }
        {
            Launch third(dir.path());
            const LaunchPlan plan = third.keeper.plan({});
            QVERIFY(plan.model.isEmpty());
            QCOMPARE(plan.conversation, 0);
        }
    }

    void reopeningCanBeTurnedOff()
    {
        QTemporaryDir dir;
        const QString model = vora::tests::makeModelFolder(dir.path());
        {
            Launch first(dir.path());
            QSignalSpy loaded(&first.host, &ModelHost::loaded);
            first.keeper.start(first.keeper.plan({model, {}, false}));
            QVERIFY(loaded.wait());
            QVERIFY(first.controller.send(QStringLiteral("hello"), {}));
            QVERIFY(QTest::qWaitFor([&] { return !first.controller.isGenerating(); }, 10000));
            first.settings.setReopenLastSession(false);
        }
        Launch second(dir.path());
        const LaunchPlan plan = second.keeper.plan({});
        QVERIFY(plan.model.isEmpty());
        QCOMPARE(plan.conversation, 0);
    }

    void aDeletedConversationOrFolderIsNotReopened()
    {
        QTemporaryDir dir;
        QTemporaryDir models;
        const QString model = vora::tests::makeModelFolder(models.path());
        {
            Launch first(dir.path());
            QSignalSpy loaded(&first.host, &ModelHost::loaded);
            first.keeper.start(first.keeper.plan({model, {}, false}));
            QVERIFY(loaded.wait());
            QVERIFY(first.controller.send(QStringLiteral("hello"), {}));
            QVERIFY(QTest::qWaitFor([&] { return !first.controller.isGenerating(); }, 10000));
            first.store.deleteConversation(first.controller.currentConversationId());
        }
        QVERIFY(models.remove());
        Launch second(dir.path());
        const LaunchPlan plan = second.keeper.plan({});
        QVERIFY(plan.model.isEmpty());
        QCOMPARE(plan.conversation, 0);
    }
};

QTEST_GUILESS_MAIN(TestSessionKeeper)
#include "test_session_keeper.moc"
