// Event-loop latency of the real window while a fake answer streams fast. Prints the worst gap of a
// 5 ms timer; the only assertion is a generous sanity bound (this is a measurement, not a benchmark).
#include "app/chat/message_list_model.h"
#include "studio_fixture.h"

#include <QElapsedTimer>
#include <QTimer>

class TestResponsiveness : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theEventLoopKeepsTurningWhileAnAnswerStreams()
    {
        vora::tests::StudioFixture studio;
        vora::app::FakeChatScript script;
        for (int i = 0; i < 6; ++i) {
            script.pieces += vora::app::FakeChatBackend::demoAnswer(1);
        }
        script.pieceDelayMs = 1;
        QVERIFY(studio.loadModel(script));
        studio.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(studio.window.get()));

        QElapsedTimer clock;
        qint64 last = 0;
        qint64 worst = 0;
        int ticks = 0;
        QTimer timer;
        timer.setInterval(5);
        timer.setTimerType(Qt::PreciseTimer);
        connect(&timer, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
            ++ticks;
        });
        QVERIFY(studio.controller->send(QStringLiteral("Stream a long answer"), {}));
        clock.start();
        timer.start();
        QVERIFY(studio.waitUntilIdle());
        timer.stop();
        const qint64 total = clock.elapsed();
        qInfo("streamed %lld pieces (%lld chars) in %lld ms; 5 ms timer: %d ticks, worst gap %lld ms",
              static_cast<long long>(script.pieces.size()),
              static_cast<long long>(studio.controller->messages()->at(1).text.size()), static_cast<long long>(total),
              ticks, static_cast<long long>(worst));
        QCOMPARE(studio.controller->messages()->at(1).text, script.pieces.join(QString()));
        QVERIFY2(worst < 2000, "the GUI thread stalled for seconds");
    }
};

QTEST_MAIN(TestResponsiveness)
#include "test_responsiveness.moc"
