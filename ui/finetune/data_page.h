#pragma once
// Wizard step 2: the training data. A JSON-lines file in the `vora train` format with its image root,
// or a captions folder / CSV converted to one. Checked by `vora data check` (the trainer's own checks):
// bad lines listed with their numbers and reasons, a preview of samples (thumbnail, the conversation
// with the trained answers set apart) and the token-length histogram. GUI thread.
#include "ui/finetune/wizard_page.h"

class QLabel;
class QLineEdit;
class QTextBrowser;
class QTreeWidget;

namespace vora::ui {

struct FinetuneContext;

class DataPage : public WizardPage {
    Q_OBJECT
public:
    DataPage(const FinetuneContext& context, WizardState& state, QWidget* parent = nullptr);

    QString blocker() const override;
    // Checks the file (and shows the result); imageRoot empty: the file's folder.
    void setDataFile(const QString& file, const QString& imageRoot = {});
    // A folder of images with .txt captions, or a .csv: converted into a JSON-lines file under the
    // runs directory, then checked.
    void importCaptions(const QString& folderOrCsv);

    QTreeWidget* problemList() const { return m_problems; }
    QLabel* summaryLabel() const { return m_summary; }
    QTextBrowser* preview() const { return m_preview; }

private:
    void check();
    void showPreview();

    const FinetuneContext& m_context;
    QLineEdit* m_file;
    QLineEdit* m_root;
    QLabel* m_summary;
    QTreeWidget* m_problems;
    QTextBrowser* m_preview;
    QString m_error;
};

} // namespace vora::ui
