#pragma once
// Launches pick up where the last one ended: remembers the model that was loaded (until it is
// ejected) and the conversation that was open, and plans a launch from them and from the command
// line. The first launch (AppSettings::isFirstLaunch) may open a given model (the demo model) with
// images attached; later ones reopen the last model and conversation unless the user turned that off.
// GUI thread only.
#include <QObject>
#include <QStringList>

namespace vora::app {

class AppSettings;
class ConversationController;

struct LaunchOptions {
    QString model;              // --model
    QStringList attachments;    // --attach, in order
    bool firstLaunchOnly = false; // --first-launch-only: model and attachments only on the first launch
};

struct LaunchPlan {
    QString model;              // empty: load nothing
    qint64 conversation = 0;    // 0: a new chat
    QStringList attachments;    // image files for the composer
};

class SessionKeeper : public QObject {
    Q_OBJECT
public:
    // settings and controller (and its host) must outlive the keeper. Starts recording at once.
    SessionKeeper(AppSettings* settings, ConversationController* controller, QObject* parent = nullptr);

    LaunchPlan plan(const LaunchOptions& options) const;
    // Opens the plan's conversation, starts loading its model, and records that a launch happened.
    void start(const LaunchPlan& plan);

private:
    AppSettings* m_settings;
    ConversationController* m_controller;
};

} // namespace vora::app
