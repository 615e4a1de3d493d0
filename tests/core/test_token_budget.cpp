// The new-token budget: a requested budget larger than what the context has left is clamped to what
// is left (never an error on defaults), a prompt that leaves no room is an error naming both sizes,
// and the clamped budget caps min_new_tokens too.
#include "core/error.h"
#include "core/generation/token_budget.h"

#include <QTest>

using namespace vora::core;

class TestTokenBudget : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fitsOrClamps_data()
    {
        QTest::addColumn<qint64>("prompt");
        QTest::addColumn<qint64>("context");
        QTest::addColumn<int>("requested");
        QTest::addColumn<int>("expected");
        // The case from the issue: a 46-token prompt, 512 new tokens, a 512-token context.
        QTest::newRow("the issue's defaults") << qint64(46) << qint64(512) << 512 << 466;
        QTest::newRow("fits exactly") << qint64(12) << qint64(512) << 500 << 500;
        QTest::newRow("fits with room") << qint64(12) << qint64(32768) << 512 << 512;
        QTest::newRow("one token left") << qint64(511) << qint64(512) << 512 << 1;
        QTest::newRow("empty prompt") << qint64(0) << qint64(8) << 100 << 8;
    }

    void fitsOrClamps()
    {
        QFETCH(qint64, prompt);
        QFETCH(qint64, context);
        QFETCH(int, requested);
        QFETCH(int, expected);
        const TokenBudget budget = fitTokenBudget(prompt, context, requested);
        QCOMPARE(budget.newTokens, expected);
        QCOMPARE(budget.requestedNewTokens, requested);
        QCOMPARE(budget.promptTokens, prompt);
        QCOMPARE(budget.contextTokens, context);
        QCOMPARE(budget.clamped(), expected < requested);
        QVERIFY(budget.promptTokens + budget.newTokens <= budget.contextTokens);
    }

    void aPromptThatFillsTheContextIsAnError_data()
    {
        QTest::addColumn<qint64>("prompt");
        QTest::newRow("exactly full") << qint64(512);
        QTest::newRow("over") << qint64(530);
    }

    void aPromptThatFillsTheContextIsAnError()
    {
        QFETCH(qint64, prompt);
        try {
            fitTokenBudget(prompt, 512, 64);
            QFAIL("expected an error");
        } catch (const Error& error) {
            QCOMPARE(error.code(), ErrorCode::InvalidArgument);
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains(QString::number(prompt)) && message.contains(QStringLiteral("512")), error.what());
            QVERIFY2(message.contains(QStringLiteral("no room")), error.what());
        }
    }

    void invalidBudgetsStayErrors()
    {
        QVERIFY_THROWS_EXCEPTION(Error, fitTokenBudget(10, 512, 0));
        QVERIFY_THROWS_EXCEPTION(Error, fitTokenBudget(10, 512, -5));
        QVERIFY_THROWS_EXCEPTION(Error, fitTokenBudget(0, 0, 5));
    }

    void theBudgetCapsMinNewTokens()
    {
        StopCriteria stop;
        stop.maxNewTokens = 512;
        stop.minNewTokens = 100;
        stop.stopStrings = {"END"};
        const StopCriteria clamped = withTokenBudget(stop, fitTokenBudget(450, 512, 512));
        QCOMPARE(clamped.maxNewTokens, 62);
        QCOMPARE(clamped.minNewTokens, 62);
        QCOMPARE(clamped.stopStrings, stop.stopStrings);
        const StopCriteria roomy = withTokenBudget(stop, fitTokenBudget(10, 4096, 512));
        QCOMPARE(roomy.maxNewTokens, 512);
        QCOMPARE(roomy.minNewTokens, 100);
        validateStopCriteria(clamped);
    }

    void theNoticeNamesEveryNumber()
    {
        const std::string text = describeClampedBudget(fitTokenBudget(46, 512, 512));
        QCOMPARE(QString::fromStdString(text),
                 QStringLiteral("at most 466 new tokens instead of 512: the prompt takes 46 of the model's 512-token context"));
    }
};

QTEST_GUILESS_MAIN(TestTokenBudget)
#include "test_token_budget.moc"
