#pragma once
// Wizard step 2: the training data. A JSON-lines file in the `vora train` format with its image root,
// or a captions folder / CSV converted to one. Checked by `vora data check` (the trainer's own checks):
// bad lines listed with their numbers and reasons, a preview of samples (thumbnail, the conversation
// with the trained answers set apart) and the token-length histogram. Also where the run's validation loss
// comes from: a share of the data held out, or a separate file. GUI thread.
#include "ui/finetune/wizard_page.h"

class QLabel;
class QLineEdit;
class QSpinBox;
class QTextBrowser;
class QTreeWidget;

namespace vora::app {
struct DataCheckSummary;
class VoraJsonJob;
}

namespace vora::ui {

struct FinetuneContext;

class DataPage : public WizardPage {
    Q_OBJECT
public:
    DataPage(const FinetuneContext& context, WizardState& state, QWidget* parent = nullptr);

    QString blocker() const override;
    // Starts checking the file (the result shows when the check ends); imageRoot empty: the file's folder.
    void setDataFile(const QString& file, const QString& imageRoot = {});
    // A folder of images with .txt captions, or a .csv: converted into a JSON-lines file under the
    // runs directory, then checked.
    void importCaptions(const QString& folderOrCsv);
    // Validation for every run: percent of the data held out (0-50), or a file in the same format and
    // image root (it replaces the held-out share; the trainer checks it when the run starts).
    void setValidationPercent(int percent);
    void setValidationFile(const QString& file);
    QSpinBox* validationPercentBox() const { return m_valPercent; }

    bool isChecking() const { return m_job != nullptr; }
    QTreeWidget* problemList() const { return m_problems; }
    QLabel* summaryLabel() const { return m_summary; }
    QTextBrowser* preview() const { return m_preview; }

private:
    void check();
    void showCheck(const vora::app::DataCheckSummary& summary);
    void checkFailed(const QString& message);
    void showPreview();

    const FinetuneContext& m_context;
    QLineEdit* m_file;
    QLineEdit* m_root;
    QSpinBox* m_valPercent;
    QLineEdit* m_valFile;
    QLabel* m_summary;
    QTreeWidget* m_problems;
    QTextBrowser* m_preview;
    QString m_error;
    QString m_importNote; // what the last import skipped, shown with the check
    vora::app::VoraJsonJob* m_job = nullptr; // the check running now
};

} // namespace vora::ui
