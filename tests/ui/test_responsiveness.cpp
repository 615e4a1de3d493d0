// The window stays responsive while a model works because no model work ever runs on the GUI thread:
// the backend's load, generate and unload all run on the ModelHost's worker thread. (Not a timing:
// a stall shorter than any bound would pass one, and timings flake on busy machines.)
#include "app/chat/message_list_model.h"
#include "app/inference/model_host.h"
#include "studio_fixture.h"

#include <QThread>

class TestResponsiveness : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void modelWorkNeverRunsOnTheGuiThread()
    {
        vora::tests::StudioFixture studio;
        vora::app::FakeChatScript script;
        for (int i = 0; i < 3; ++i) {
            script.pieces += vora::app::FakeChatBackend::demoAnswer(1);
        }
        script.pieceDelayMs = 1;
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(studio.window.get()));

        QVERIFY(studio.controller->send(QStringLiteral("Stream a long answer"), {}));
        QVERIFY(studio.waitUntilIdle());
        QCOMPARE(studio.controller->messages()->at(1).text, script.pieces.join(QString()));
        studio.host->ejectModel();
        QVERIFY(QTest::qWaitFor([&] { return !studio.fake->isLoaded(); }));

        const QList<QThread*> threads = studio.fake->threadsUsed();
        QCOMPARE(threads.size(), 1);
        QVERIFY2(threads.first() != QThread::currentThread(), "the model ran on the GUI thread");
        QVERIFY(threads.first() == studio.host->workerThread());
    }
};

QTEST_MAIN(TestResponsiveness)
#include "test_responsiveness.moc"
