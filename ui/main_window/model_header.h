#pragma once
// The bar above the chat that says which model you are talking to and whether it is ready: a picker
// (recent models, open a folder, eject), a status dot with "Ready", "Loading… 45%" or "No model",
// the device, number format and context of the loaded model, a thin progress bar while it loads, and
// under the bar the model's own note (the demo model says what it knows) or that it reads text only.
// Reads ModelHost's state; asks it to eject. GUI thread only.
#include "app/inference/chat_backend.h"

#include <QWidget>

class QMenu;
class QProgressBar;

namespace vora::app {
class ModelHost;
class RecentModelsModel;
}

namespace vora::ui {

class IconButton;
class ToneLabel;

class ModelHeader : public QWidget {
    Q_OBJECT
public:
    // host and recentModels must outlive the header.
    ModelHeader(vora::app::ModelHost* host, vora::app::RecentModelsModel* recentModels, QWidget* parent = nullptr);

    IconButton* picker() const { return m_picker; }
    QString statusText() const;   // "Ready", "Loading… 45%", "No model"
    QString detailsText() const;  // "cpu · float32 · 8,192-token context"
    QString noteText() const;     // the model's note, or "" when none is shown
    QMenu* pickerMenu() const { return m_menu; }

Q_SIGNALS:
    void openRequested();
    void modelChosen(const QString& path);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void refresh();
    void fillMenu();

    vora::app::ModelHost* m_host;
    vora::app::RecentModelsModel* m_recentModels;
    IconButton* m_picker;
    IconButton* m_eject;
    QWidget* m_dot;
    ToneLabel* m_status;
    ToneLabel* m_details;
    QProgressBar* m_progress;
    QWidget* m_noteRow;
    ToneLabel* m_note;
    QMenu* m_menu;
    double m_fraction = 0;
    QString m_stage;
};

} // namespace vora::ui
