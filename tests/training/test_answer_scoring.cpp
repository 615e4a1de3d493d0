// Question types and answer scoring for `vora eval` (docs/synthetic-data.md, "Scoring"): many cases,
// the tricky ones included ("12" vs "2", "reddish", grey/gray, plurals, centre/center, extra pairs).
#include "training/answer_scoring.h"
#include "training/eval_questions.h"

#include <QTest>

#include <cctype>
#include <random>

using namespace vora::training;

Q_DECLARE_METATYPE(QuestionType)

class TestAnswerScoring : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void classifiesQuestions_data()
    {
        QTest::addColumn<QString>("question");
        QTest::addColumn<bool>("hasImage");
        QTest::addColumn<QuestionType>("type");
        const struct {
            const char* question;
            bool image;
            QuestionType type;
        } rows[] = {
            {"How many shapes are in the image?", true, QuestionType::Count},
            {"How many shapes do you see?", true, QuestionType::Count},
            {"Count the shapes in the image.", true, QuestionType::Count},
            {"What color is the circle?", true, QuestionType::Color},
            {"What colour is the triangle?", true, QuestionType::Color},
            {"What is the color of the square?", true, QuestionType::Color},
            {"What shape is the red object?", true, QuestionType::Shape},
            {"What is the blue shape?", true, QuestionType::Shape},
            {"Which shape is purple?", true, QuestionType::Shape},
            {"Where is the green square?", true, QuestionType::Position},
            {"In which part of the image is the red circle?", true, QuestionType::Position},
            {"Describe the image.", true, QuestionType::Describe},
            {"What is in the image?", true, QuestionType::Describe},
            {"What's in the picture?", true, QuestionType::Describe},
            {"What do you see in the image?", true, QuestionType::Describe},
            {"What number is written in the image?", true, QuestionType::Number},
            {"Read the number in the image.", true, QuestionType::Number},
            {"Is this a photo?", true, QuestionType::Other},
            // Without an image every question is a text question.
            {"How many sides does a triangle have?", false, QuestionType::Other},
            {"What color do you get when you mix blue and yellow?", false, QuestionType::Other},
        };
        for (const auto& r : rows) {
            QTest::newRow(r.question) << QString(r.question) << r.image << r.type;
        }
    }

    void classifiesQuestions()
    {
        QFETCH(QString, question);
        QFETCH(bool, hasImage);
        QFETCH(QuestionType, type);
        QCOMPARE(classifyQuestion(question.toStdString(), hasImage), type);
    }

    void scoresAnswers_data()
    {
        QTest::addColumn<QuestionType>("type");
        QTest::addColumn<QString>("reference");
        QTest::addColumn<QString>("answer");
        QTest::addColumn<bool>("correct");
        using Q = QuestionType;
        const struct {
            const char* name;
            Q type;
            const char* reference;
            const char* answer;
            bool correct;
        } rows[] = {
            {"count digits", Q::Count, "There are 2 shapes.", "There are 2 shapes.", true},
            {"count bare digit", Q::Count, "There are 2 shapes.", "2", true},
            {"count word", Q::Count, "There are 3 shapes.", "There are three shapes.", true},
            {"count 12 is not 2", Q::Count, "There are 2 shapes.", "There are 12 shapes.", false},
            {"count 2 is not 12", Q::Count, "There are 12 shapes.", "2", false},
            {"count two numbers", Q::Count, "There are 2 shapes.", "There are 2 or 3 shapes.", false},
            {"count none", Q::Count, "There are 2 shapes.", "Several shapes.", false},
            {"count singular", Q::Count, "There is 1 shape.", "There is one shape.", true},
            {"color plain", Q::Color, "The circle is red.", "red", true},
            {"color sentence", Q::Color, "The circle is red.", "The circle is red.", true},
            {"color case", Q::Color, "The circle is red.", "RED!", true},
            {"color reddish is not red", Q::Color, "The circle is red.", "It is reddish.", false},
            {"color two colours", Q::Color, "The circle is red.", "It is red and orange.", false},
            {"color repeated is one colour", Q::Color, "The circle is red.", "Red, definitely red.", true},
            {"color wrong", Q::Color, "The square is blue.", "The square is purple.", false},
            {"color grey is gray", Q::Color, "The square is gray.", "It is grey.", true},
            {"color gray is grey", Q::Color, "The square is grey.", "gray", true},
            {"color empty answer", Q::Color, "The circle is red.", "", false},
            {"color redder is not red", Q::Color, "The circle is red.", "redder than the rest", false},
            {"shape plain", Q::Shape, "It is a triangle.", "triangle", true},
            {"shape plural", Q::Shape, "It is a triangle.", "Triangles.", true},
            {"shape sentence with colour", Q::Shape, "It is a triangle.", "The red object is a triangle.", true},
            {"shape wrong", Q::Shape, "It is a triangle.", "It is a square.", false},
            {"shape two shapes", Q::Shape, "It is a circle.", "A circle or a square.", false},
            {"shape other shape word", Q::Shape, "It is a square.", "It is a rectangle.", false},
            {"position two words", Q::Position, "The red circle is at the top left.", "top left", true},
            {"position corner", Q::Position, "The red circle is at the top left.", "In the top-left corner.", true},
            {"position upper", Q::Position, "The red circle is at the top left.", "upper left", true},
            {"position half is wrong", Q::Position, "The red circle is at the top left.", "at the top", false},
            {"position centre", Q::Position, "The blue square is in the center.", "In the centre.", true},
            {"position middle", Q::Position, "The blue square is in the center.", "in the middle", true},
            {"position center left", Q::Position, "The blue square is on the left.", "center left", true},
            {"position middle of the top", Q::Position, "The blue square is at the top.", "top center", true},
            {"position wrong side", Q::Position, "The blue square is on the left.", "on the right", false},
            {"position center is not left", Q::Position, "The blue square is on the left.", "in the center", false},
            {"describe same", Q::Describe,
             "There are 2 shapes: a red circle at the top left and a blue square in the center.",
             "There are 2 shapes: a red circle at the top left and a blue square in the center.", true},
            {"describe other order", Q::Describe, "There are 2 shapes: a red circle at the top left and a blue square.",
             "A blue square and a red circle.", true},
            {"describe extra pair", Q::Describe, "There are 2 shapes: a red circle and a blue square.",
             "A red circle, a blue square and a green triangle.", false},
            {"describe missing pair", Q::Describe, "There are 2 shapes: a red circle and a blue square.",
             "A red circle.", false},
            {"describe swapped colours", Q::Describe, "A red circle and a blue square.", "A blue circle and a red square.", false},
            {"describe plural", Q::Describe, "There are 2 shapes: a red circle on the left and a red circle on the right.",
             "Two red circles.", true},
            {"describe background ignored", Q::Describe, "There is 1 shape: a green triangle.",
             "A green triangle on a white background.", true},
            {"describe uncoloured shape", Q::Describe, "A red circle and a blue square.", "A red circle and a square.", false},
            {"describe grey", Q::Describe, "A gray square.", "A grey square.", true},
            {"number same", Q::Number, "The number is 4071.", "The number is 4071.", true},
            {"number bare", Q::Number, "The number is 4071.", "4071", true},
            {"number thousands comma", Q::Number, "The number is 4071.", "4,071", true},
            {"number prefix is wrong", Q::Number, "The number is 407.", "4071", false},
            {"number part is wrong", Q::Number, "The number is 4071.", "407", false},
            {"number 2 is not 12", Q::Number, "The number is 12.", "The number is 2.", false},
            {"number two numbers", Q::Number, "The number is 12.", "12 or 13", false},
            {"number zero", Q::Number, "The number is 0.", "0", true},
            {"number leading zero", Q::Number, "The number is 7.", "07", false},
            {"number spelled is not read", Q::Number, "The number is 7.", "seven", false},
            {"other exact", Q::Other, "Paris is the capital of France.", "paris is the capital of france", true},
            {"other different", Q::Other, "Paris is the capital of France.", "It is Paris.", false},
            {"keyless reference falls back to text", Q::Color, "I cannot tell.", "I cannot tell.", true},
        };
        for (const auto& r : rows) {
            QTest::newRow(r.name) << r.type << QString(r.reference) << QString(r.answer) << r.correct;
        }
    }

    void scoresAnswers()
    {
        QFETCH(QuestionType, type);
        QFETCH(QString, reference);
        QFETCH(QString, answer);
        QFETCH(bool, correct);
        const AnswerScore score = scoreAnswer(type, reference.toStdString(), answer.toStdString());
        QVERIFY2(score.correct == correct,
                 qPrintable(QString("expected '%1', found '%2'").arg(score.expected.c_str(), score.found.c_str())));
    }

    void reportsTheKeysItCompared()
    {
        const AnswerScore score = scoreAnswer(QuestionType::Describe, "A red circle and a blue square.", "A red circle.");
        QCOMPARE(score.expected, std::string("blue square, red circle"));
        QCOMPARE(score.found, std::string("red circle"));
    }

    void wordsAreFoldedAndJoined()
    {
        QCOMPARE(answerWords("The Grey squares, centre: 4,071 and 1,2"),
                 (std::vector<std::string>{"the", "gray", "square", "center", "4071", "and", "1", "2"}));
        QCOMPARE(answerWords(""), std::vector<std::string>{});
        QCOMPARE(answerWords("12,345,678"), std::vector<std::string>{"12345678"});
    }

    // Every round of a multi-turn sample is its own question, placeholders removed, images resolved.
    void collectsEveryRound()
    {
        DataRecord record;
        record.id = "s1";
        record.frames = {"a.png"};
        record.turns = {{"user", "<image>How many shapes are in the image?"}, {"assistant", "There are 2 shapes."},
                        {"user", "What color is the circle?"}, {"assistant", "The circle is red."}};
        DataRecord text;
        text.id = "t1";
        text.turns = {{"user", "How many legs does a cat have?"}, {"assistant", "Four."}};
        const auto questions = collectEvalQuestions({record, text}, ImageRootPolicy{"/data"});
        QCOMPARE(questions.size(), size_t(3));
        QCOMPARE(questions[0].id, std::string("s1#1"));
        QCOMPARE(questions[0].question, std::string("How many shapes are in the image?"));
        QCOMPARE(questions[0].type, QuestionType::Count);
        QCOMPARE(questions[1].type, QuestionType::Color);
        QCOMPARE(questions[1].imagePaths, std::vector<std::string>{"/data/a.png"});
        QCOMPARE(questions[2].id, std::string("t1"));
        QCOMPARE(questions[2].type, QuestionType::Other);
        QCOMPARE(questions[2].record, size_t(1));

        EvalTally tally;
        tally.add(QuestionType::Count, true);
        tally.add(QuestionType::Count, false);
        tally.add(QuestionType::Color, true);
        QCOMPARE(tally.of(QuestionType::Count).total, int64_t(2));
        QCOMPARE(tally.of(QuestionType::Count).accuracy(), 0.5);
        QCOMPARE(tally.of(QuestionType::Shape).total, int64_t(0));
        QCOMPARE(tally.overall().correct, int64_t(2));
        QCOMPARE(tally.overall().total, int64_t(3));
    }

    // Random bytes mixed with answer words: an answer equal to its reference is always right, and one
    // that adds a number the reference lacks is never right for counts and numbers.
    void arbitraryTextKeepsTheScoringRules()
    {
        std::mt19937 rng(7);
        const char* pieces[] = {"red", "circle", ",", "4", "0", " ", "top", "centre", "\xff", "\xc3\xa9", "#", "shapes"};
        int withNumbers = 0;
        for (int i = 0; i < 3000; ++i) {
            std::string text;
            for (int k = int(rng() % 12); k > 0; --k) {
                text += rng() % 3 == 0 ? std::string(1, static_cast<char>(rng())) : std::string(pieces[rng() % 12]);
            }
            const QuestionType type = kQuestionTypes[rng() % kQuestionTypes.size()];
            QVERIFY2(scoreAnswer(type, text, text).correct, text.c_str());
            classifyQuestion(text, true);
            const AnswerScore number = scoreAnswer(QuestionType::Number, text, text + " 98765");
            if (!number.expected.empty() && number.expected.find("98765") == std::string::npos
                && !answerWords(text).empty() && std::isdigit(static_cast<unsigned char>(number.expected[0]))) {
                QVERIFY2(!number.correct, text.c_str());
                ++withNumbers;
            }
        }
        QVERIFY(withNumbers > 100);
    }
};

QTEST_GUILESS_MAIN(TestAnswerScoring)
#include "test_answer_scoring.moc"
