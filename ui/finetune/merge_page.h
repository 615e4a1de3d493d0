#pragma once
// Wizard step 6: merge and try. Queues a `vora merge` of the run into a new model folder; once it is
// done, "Chat with it" asks the window to open the merged model in the chat, and Compare answers an
// image and question (a sample of the run's validation data to start with) with the base and the
// merged model side by side. GUI thread.
#include "ui/finetune/wizard_page.h"

class QLabel;
class QLineEdit;
class QPushButton;

namespace vora::ui {

class CompareView;
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
    CompareView* compareView() const { return m_compare; } // null without a backend factory

Q_SIGNALS:
    void chatRequested(const QString& modelDir);

private:
    void refresh();
    void offerCompare(const QString& mergedDir);

    const FinetuneContext& m_context;
    QLineEdit* m_out;
    QPushButton* m_merge;
    QPushButton* m_chat;
    QLabel* m_status;
    CompareView* m_compare = nullptr;
    qint64 m_job = 0;
};

} // namespace vora::ui
