#pragma once
// "Compare": an image and a question, answered by the base model and the tuned one side by side;
// each pane shows its model folder's name, the answer as it streams, and its load and answer times,
// or what went wrong with that side. The models load one after the other on a worker thread
// (app/finetune/model_comparison.h). GUI thread.
#include "app/finetune/model_comparison.h"

#include <QWidget>

#include <array>
#include <functional>
#include <memory>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace vora::ui {

class CompareView : public QWidget {
    Q_OBJECT
public:
    using BackendFactory = std::function<std::unique_ptr<vora::app::ChatBackend>()>;

    // makeBackend: a fresh inference backend for each comparison (the runtime's in the app).
    explicit CompareView(BackendFactory makeBackend, QWidget* parent = nullptr);

    void setModels(const QString& baseDir, const QString& tunedDir);
    // The image and question shown until the user changes them (a sample of the run's data).
    void setSample(const QString& imagePath, const QString& question);
    // Device and dtype for both models (the chat's load preferences in the app).
    void setLoadOptions(const vora::app::ModelLoadOptions& options) { m_load = options; }
    void compare(); // the Compare button; again while running: stop
    bool isComparing() const { return m_comparison && m_comparison->running(); }

    QLineEdit* imageEdit() const { return m_image; }
    QLineEdit* questionEdit() const { return m_question; }
    QSpinBox* maxNewTokens() const { return m_maxNewTokens; }
    QPushButton* compareButton() const { return m_compare; }
    QLabel* noteLabel() const { return m_note; }
    QLabel* title(int side) const { return m_panes.at(side).title; }
    QPlainTextEdit* answer(int side) const { return m_panes.at(side).answer; }
    QLabel* status(int side) const { return m_panes.at(side).status; }

private:
    struct Pane {
        QLabel* title = nullptr;
        QPlainTextEdit* answer = nullptr;
        QLabel* status = nullptr;
        bool answered = false; // finished or failed in the current comparison
    };
    Pane makePane(QWidget* parent);
    void chooseImage();
    void showFinished(int side, const vora::app::ComparisonAnswer& answer);
    void showFailed(int side, const QString& message);

    BackendFactory m_makeBackend;
    vora::app::ModelLoadOptions m_load;
    std::array<QString, vora::app::ModelComparison::kSides> m_dirs;
    std::unique_ptr<vora::app::ModelComparison> m_comparison;
    QLineEdit* m_image;
    QLineEdit* m_question;
    QSpinBox* m_maxNewTokens;
    QPushButton* m_compare;
    QLabel* m_note;
    std::array<Pane, vora::app::ModelComparison::kSides> m_panes;
};

} // namespace vora::ui
