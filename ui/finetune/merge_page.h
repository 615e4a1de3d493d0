#pragma once
// Wizard step 6: merge and try. Queues a `vora merge` of the run into a new model folder; once it is
// done, "Chat with it" asks the window to open the merged model in the chat. GUI thread.
#include "ui/finetune/wizard_page.h"

class QLabel;
class QLineEdit;
class QPushButton;

namespace vora::ui {

struct FinetuneContext;

class MergePage : public WizardPage {
    Q_OBJECT
public:
    MergePage(const FinetuneContext& context, WizardState& state, QWidget* parent = nullptr);

    void enter() override;
    QString blocker() const override { return tr("This is the last step"); }

    void merge();
    QLineEdit* outFolder() const { return m_out; }
    QPushButton* mergeButton() const { return m_merge; }
    QPushButton* chatButton() const { return m_chat; }
    QLabel* statusLabel() const { return m_status; }
    qint64 mergeJobId() const { return m_job; }

Q_SIGNALS:
    void chatRequested(const QString& modelDir);

private:
    void refresh();

    const FinetuneContext& m_context;
    QLineEdit* m_out;
    QPushButton* m_merge;
    QPushButton* m_chat;
    QLabel* m_status;
    qint64 m_job = 0;
};

} // namespace vora::ui
