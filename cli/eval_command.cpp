// `vora eval`: asks every question of a VoRA data set (greedy, with the sample's images), scores the
// answers as docs/synthetic-data.md says (training/answer_scoring.h) and prints accuracy per
// question type; --loss adds the validation loss of the reference answers.
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/stop_signal.h"
#include "core/error.h"
#include "core/runtime/vora_engine.h"
#include "training/eval_questions.h"
#include "training/reference_loss.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <set>

namespace vora::cli {
namespace {

const std::vector<OptionSpec> kEvalOptions = {
    {"model", true, "model folder (a VoRA model)", "DIR"},
    {"data", true, "VoRA JSON-lines file; repeat for several", "FILE"},
    {"image-root", true, "folder that frame paths are resolved against and confined to (default: the data file's folder)", "DIR"},
    {"allow-images-outside-root", false, "let frames lead outside the image root (.., absolute paths, symlinks)"},
    {"device", true, "cpu, cuda or cuda:N (default cpu)", "DEV"},
    {"dtype", true, "auto, float32, bfloat16 or float16", "TYPE"},
    {"limit", true, "ask only the first N questions", "N"},
    {"max-new-tokens", true, "answer budget per question (default 96)", "N"},
    {"loss", false, "also compute the validation loss of the reference answers"},
    {"max-text-len", true, "text tokens per sample for --loss (default 2048, as training)", "T"},
    {"json", false, "print one JSON object instead of the table"},
    {"out-records", true, "write one JSON line per question (question, reference, answer, correct)", "FILE"},
};

struct Answered {
    const training::EvalQuestion* question;
    std::string answer;
    training::AnswerScore score;
};

void refuseBadLines(const training::DataSet& data)
{
    if (data.problems.empty()) {
        return;
    }
    std::string list;
    for (size_t i = 0; i < data.problems.size() && i < 20; ++i) {
        list += "\n  " + data.problems[i].describe();
    }
    throw core::Error(core::ErrorCode::InvalidArgument,
                      std::to_string(data.problems.size()) + " bad line(s) in the evaluation data (`vora data check` "
                          "lists them):" + list);
}

std::string trimmed(const std::string& text)
{
    const size_t first = text.find_first_not_of(" \t\r\n");
    const size_t last = text.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

// Images are prepared once per sample: its questions follow one another.
class ImageCache {
public:
    explicit ImageCache(const core::VoraEngine& engine) : m_engine(engine) {}
    const std::vector<core::PreparedImage>& imagesOf(const training::EvalQuestion& q)
    {
        if (q.imagePaths != m_paths) {
            m_images.clear();
            for (const std::string& path : q.imagePaths) {
                m_images.push_back(m_engine.prepareImage(path));
            }
            m_paths = q.imagePaths;
        }
        return m_images;
    }

private:
    const core::VoraEngine& m_engine;
    std::vector<std::string> m_paths;
    std::vector<core::PreparedImage> m_images;
};

void writeRecords(const std::string& path, const std::vector<Answered>& answered)
{
    std::ofstream out(path);
    core::require(out.good(), core::ErrorCode::Io, "cannot write " + path);
    for (const Answered& a : answered) {
        const training::EvalQuestion& q = *a.question;
        const nlohmann::json line = {{"id", q.id},
                                     {"file", q.file},
                                     {"line", q.line},
                                     {"type", training::questionTypeName(q.type)},
                                     {"question", q.question},
                                     {"reference", q.reference},
                                     {"answer", a.answer},
                                     {"correct", a.score.correct},
                                     {"expected", a.score.expected},
                                     {"found", a.score.found}};
        out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    core::require(out.good(), core::ErrorCode::Io, "cannot write " + path);
}

void printTable(const training::EvalTally& tally, const std::optional<training::ReferenceLoss>& loss)
{
    std::printf("%-10s %8s %8s %9s\n", "type", "correct", "total", "accuracy");
    auto row = [](const char* name, const training::TypeTally& t) {
        std::printf("%-10s %8lld %8lld %8.1f%%\n", name, static_cast<long long>(t.correct),
                    static_cast<long long>(t.total), 100.0 * t.accuracy());
    };
    for (const training::QuestionType type : training::kQuestionTypes) {
        if (tally.of(type).total > 0) {
            row(training::questionTypeName(type), tally.of(type));
        }
    }
    row("overall", tally.overall());
    if (loss) {
        std::printf("validation loss %.4f (%lld answer tokens of %lld samples)\n", loss->meanLoss,
                    static_cast<long long>(loss->tokens), static_cast<long long>(loss->samples));
    }
}

nlohmann::json tallyJson(const training::TypeTally& t)
{
    return {{"correct", t.correct}, {"total", t.total}, {"accuracy", t.accuracy()}};
}

} // namespace

int runEval(const Arguments& args)
{
    const CommandLine line("vora eval --model DIR --data FILE.jsonl [--image-root DIR] [options]", kEvalOptions, args);
    const std::string modelDir = line.required("model");
    const std::vector<std::string> files = line.values("data");
    if (files.empty()) {
        throw UsageError("--data is required");
    }
    const auto limit = line.integerIn("limit", 1, std::numeric_limits<int>::max());
    const auto maxNewTokens = line.integerIn("max-new-tokens", 1, std::numeric_limits<int>::max()).value_or(96);
    const training::ImageRootPolicy imageRoot{line.valueOr("image-root", ""), line.has("allow-images-outside-root")};
    const training::DataSet data = training::readDataFiles(files);
    refuseBadLines(data);
    std::vector<training::EvalQuestion> questions = training::collectEvalQuestions(data.records, imageRoot);
    if (limit && static_cast<size_t>(*limit) < questions.size()) {
        questions.resize(static_cast<size_t>(*limit));
    }
    core::require(!questions.empty(), core::ErrorCode::InvalidArgument, "the evaluation data has no questions");

    std::optional<training::ReferenceLoss> loss;
    if (line.has("loss")) {
        const auto end = data.records.begin() + static_cast<std::ptrdiff_t>(questions.back().record + 1);
        const std::vector<training::DataRecord> asked(data.records.begin(), end);
        const training::ReferenceLossOptions lossOptions{imageRoot, line.valueOr("device", "cpu"),
                                                         line.valueOr("dtype", "auto"),
                                                         line.integerIn("max-text-len", 1, 1 << 30).value_or(2048)};
        loss = training::computeReferenceLoss(modelDir, asked, lossOptions);
    }

    core::EngineOptions options;
    options.device = line.valueOr("device", "cpu");
    options.dtype = line.valueOr("dtype", "auto");
    const auto engine = core::VoraEngine::load(modelDir, options);
    core::GenerationSettings greedy = engine->summary().defaults;
    greedy.sampling.temperature = 0.0;
    greedy.sampling.repetitionPenalty = 1.0;
    greedy.stop.maxNewTokens = static_cast<int>(maxNewTokens);
    core::TextCallbacks callbacks;
    callbacks.stopRequested = installStopSignalHandlers();

    ImageCache images(*engine);
    training::EvalTally tally;
    std::vector<Answered> answered;
    const auto started = std::chrono::steady_clock::now();
    bool stopped = false;
    for (const training::EvalQuestion& q : questions) {
        if (callbacks.stopRequested && callbacks.stopRequested->load()) {
            stopped = true;
            break;
        }
        std::vector<core::ChatTurn> turns;
        if (q.system) {
            turns.push_back({"system", *q.system, 0});
        }
        turns.push_back({"user", q.question, static_cast<int>(q.imagePaths.size())});
        const core::PromptInput prompt = engine->chatPrompt(turns, images.imagesOf(q));
        const core::TextResult result = engine->generate(prompt, greedy, callbacks);
        if (result.stats.stopReason == core::StopReason::Cancelled) {
            stopped = true;
            break;
        }
        Answered a{&q, trimmed(result.text), {}};
        a.score = training::scoreAnswer(q.type, q.reference, a.answer);
        tally.add(q.type, a.score.correct);
        answered.push_back(std::move(a));
        if (answered.size() % 50 == 0) {
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            std::cerr << "[" << answered.size() << "/" << questions.size() << " questions, "
                      << static_cast<int>(100.0 * tally.overall().accuracy()) << "% right, "
                      << answered.size() / seconds << " questions/s]\n";
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (const auto path = line.value("out-records")) {
        writeRecords(*path, answered);
    }
    if (line.has("json")) {
        nlohmann::json types = nlohmann::json::object();
        for (const training::QuestionType type : training::kQuestionTypes) {
            types[training::questionTypeName(type)] = tallyJson(tally.of(type));
        }
        nlohmann::json out = {{"model", modelDir},
                              {"questions", answered.size()},
                              {"overall", tallyJson(tally.overall())},
                              {"types", types},
                              {"stopped", stopped},
                              {"seconds", seconds},
                              {"device", engine->summary().device},
                              {"dtype", engine->summary().dtype}};
        if (loss) {
            out["val_loss"] = loss->meanLoss;
            out["val_tokens"] = loss->tokens;
            out["val_samples"] = loss->samples;
        }
        std::cout << out.dump() << "\n";
    } else {
        printTable(tally, loss);
    }
    return stopped ? 130 : 0;
}

} // namespace vora::cli
