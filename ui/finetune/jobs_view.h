#pragma once
// The job queue beside the wizard: every training and merge with its state and progress, and Pause,
// Resume (paused and interrupted trainings), Cancel, Show (a training) and Compare (a finished merge)
// for the selected job. GUI thread.
#include <QWidget>

class QListView;
class QPushButton;

namespace vora::app {
class JobListModel;
class TrainingJobQueue;
}

namespace vora::ui {

class JobsView : public QWidget {
    Q_OBJECT
public:
    explicit JobsView(vora::app::TrainingJobQueue* queue, QWidget* parent = nullptr);

    QListView* list() const { return m_list; }
    vora::app::JobListModel* model() const { return m_model; }
    void select(qint64 jobId);
    QPushButton* pauseButton() const { return m_pause; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* compareButton() const { return m_compare; }

Q_SIGNALS:
    void showRequested(qint64 jobId); // a training to follow on the run page
    void compareRequested(qint64 jobId); // a finished merge: its base against the merged model

private:
    qint64 selectedId() const;
    void updateButtons();

    vora::app::TrainingJobQueue* m_queue;
    vora::app::JobListModel* m_model;
    QListView* m_list;
    QPushButton* m_pause;
    QPushButton* m_resume;
    QPushButton* m_cancel;
    QPushButton* m_show;
    QPushButton* m_compare;
};

} // namespace vora::ui
