#pragma once
// Wizard step 3: how to train. Two presets, "Teach it to see" (VoRA pre-training: vision LoRA and a
// fresh vision embedding) and "Teach it a task" (LoRA fine-tuning), advanced settings generated from
// `vora train --options-json`, the run folder, and the exact command line built from the same catalog,
// to copy. GUI thread.
#include "app/finetune/train_option_catalog.h"
#include "ui/finetune/wizard_page.h"

class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace vora::ui {

struct FinetuneContext;
class OptionForm;

enum class TrainPreset { TeachToSee, TeachTask };

// The max-text-len the method step proposes for data whose longest sample has this many text tokens:
// rounded up to a multiple of 64, at least 64, at most the trainer's default 2048.
int fittedTextLength(int longestSample);

class MethodPage : public WizardPage {
    Q_OBJECT
public:
    MethodPage(const FinetuneContext& context, WizardState& state, QWidget* parent = nullptr);

    void enter() override;
    QString blocker() const override;

    void choosePreset(TrainPreset preset);
    // Sets advanced values (flag -> value) in the form, e.g. from "make it fit".
    void setOptionValues(const QJsonObject& values);
    void setRunFolder(const QString& folder);
    const vora::app::TrainOptionCatalog& catalog() const { return m_catalog; }
    QString commandLine() const; // empty while a value is refused (blocker() says which)
    QPushButton* presetButton(TrainPreset preset) const;
    OptionForm* form() const { return m_form; }

private:
    void buildForm();
    void update(); // state().values and the command line from the widgets
    void fitTextLengthToData();

    const FinetuneContext& m_context;
    vora::app::TrainOptionCatalog m_catalog;
    QString m_catalogError;
    QString m_valuesError;
    QString m_lengthFittedFor; // the data file whose longest sample set max-text-len (a user's value stays until it changes)
    TrainPreset m_preset = TrainPreset::TeachTask;
    QPushButton* m_see;
    QPushButton* m_task;
    QLineEdit* m_runFolder;
    OptionForm* m_form = nullptr;
    QPlainTextEdit* m_command;
};

} // namespace vora::ui
