#include "app/settings/session_keeper.h"

#include "app/chat/conversation_controller.h"
#include "app/settings/app_settings.h"
#include "app/storage/conversation_store.h"

#include <QFileInfo>

#include <exception>

namespace vora::app {

SessionKeeper::SessionKeeper(AppSettings* settings, ConversationController* controller, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
    , m_controller(controller)
{
    ModelHost* host = controller->host();
    connect(host, &ModelHost::loaded, this, [this](const ModelInfo& info) { m_settings->setLastModel(info.path); });
    connect(host, &ModelHost::ejected, this, [this] { m_settings->setLastModel({}); });
    connect(controller, &ConversationController::currentConversationChanged, this,
            [this](qint64 id) { m_settings->setLastConversation(id); });
}

LaunchPlan SessionKeeper::plan(const LaunchOptions& options) const
{
    LaunchPlan plan;
    const bool reopen = m_settings->reopenLastSession();
    if (reopen) {
        const qint64 last = m_settings->lastConversation();
        try {
            if (last != 0 && m_controller->store()->conversation(last)) {
                plan.conversation = last;
            }
        } catch (const std::exception&) {
            // An unreadable store opens a new chat; the controller reports store errors when used.
        }
    }
    if (!options.model.isEmpty() && (!options.firstLaunchOnly || m_settings->isFirstLaunch())) {
        plan.model = options.model;
        plan.attachments = options.attachments;
    } else if (reopen && QFileInfo(m_settings->lastModel()).isDir()) {
        plan.model = m_settings->lastModel();
    }
    return plan;
}

void SessionKeeper::start(const LaunchPlan& plan)
{
    m_settings->markLaunched();
    if (plan.conversation != 0) {
        m_controller->openConversation(plan.conversation);
    }
    if (!plan.model.isEmpty()) {
        m_controller->host()->loadModel(plan.model);
    }
}

} // namespace vora::app
