#pragma once
// The fit step's measured step time: a short trial `vora train` with the chosen options but a few steps,
// into a temporary run folder (removed afterwards). The seconds per step come from the trial's
// RUN/progress.jsonl step times; the first step is left out (lazy initialisation, first allocations).
// GUI thread; the child runs in the background through VoraJsonJob.
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace vora::app {

class VoraJsonJob;

struct StepTiming {
    int measuredSteps = 0; // step intervals timed (the trial's steps minus the first)
    double secondsPerStep = 0.0;
};

// Steps a trial runs: one to warm up plus three timed.
inline constexpr int kTrialSteps = 4;

// Reads the step lines of a progress.jsonl. Throws JobError naming the file when it cannot be read or
// holds fewer than two step lines.
StepTiming stepTimingFromProgress(const QString& progressPath);
// trainArguments with --out, --max-steps and --resume replaced so the trial never touches the real run;
// checkpoints and validation are pushed past the trial's end so only training steps are timed.
QStringList trialArguments(const QStringList& trainArguments, const QString& outDir, int steps = kTrialSteps);
// Training steps only: validation passes are not counted.
inline double trainingEtaSeconds(int plannedSteps, double secondsPerStep) { return plannedSteps * secondsPerStep; }

class StepTimeTrial : public QObject {
    Q_OBJECT
public:
    explicit StepTimeTrial(QString voraExecutable, QObject* parent = nullptr);
    ~StepTimeTrial() override;

    void start(const QStringList& trainArguments); // exactly one of measured() and failed() follows, unless cancelled
    void cancel(); // kills the trial and removes its folder; nothing is emitted
    bool running() const { return m_job != nullptr; }

Q_SIGNALS:
    void measured(const vora::app::StepTiming& timing);
    void failed(const QString& message);

private:
    void finish();

    QString m_vora;
    std::unique_ptr<QTemporaryDir> m_dir;
    VoraJsonJob* m_job = nullptr;
};

} // namespace vora::app
