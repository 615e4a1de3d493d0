#pragma once
// Wizard step 1: the base model. Recent models, the demo model when it is installed, or any folder;
// shows the architecture, parameter count, size on disk, and whether the model already sees or will
// get a fresh vision embedding. GUI thread.
#include "ui/finetune/wizard_page.h"

class QLabel;
class QListWidget;

namespace vora::ui {

struct FinetuneContext;

class BaseModelPage : public WizardPage {
    Q_OBJECT
public:
    BaseModelPage(const FinetuneContext& context, WizardState& state, QWidget* parent = nullptr);

    void enter() override;
    QString blocker() const override;
    // Reads the folder's facts; a folder that is no model shows why and blocks Next.
    void chooseModel(const QString& folder);
    QLabel* factsLabel() const { return m_facts; }
    QListWidget* candidates() const { return m_list; }

private:
    void fillCandidates();

    const FinetuneContext& m_context;
    QListWidget* m_list;
    QLabel* m_facts;
    QString m_problem;
};

} // namespace vora::ui
