#pragma once
// A whole VoRA Studio window over a temporary data folder and a FakeChatBackend, for GUI tests.
#include "app/chat/conversation_controller.h"
#include "app/inference/fake_chat_backend.h"
#include "app/settings/app_settings.h"
#include "app/storage/conversation_store.h"
#include "tests/app/model_folder_fixture.h"
#include "ui/chat/code_highlighting.h"
#include "ui/main_window/main_window.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace vora::tests {

struct StudioFixture {
    // directory: where settings and conversations live (default: a fresh temporary folder), so a test can
    // start a second window over the first one's data, as a relaunch would.
    explicit StudioFixture(std::unique_ptr<app::ChatBackend> backend = nullptr, const QString& directory = {})
        : root(directory.isEmpty() ? dir.path() : directory)
        , settings(root + QStringLiteral("/settings.ini"), QSettings::IniFormat)
        , appSettings(&settings)
        , store(root + QStringLiteral("/data"))
    {
        if (!backend) {
            auto owned = std::make_unique<app::FakeChatBackend>();
            fake = owned.get();
            backend = std::move(owned);
        }
        host = std::make_unique<app::ModelHost>(std::move(backend));
        controller = std::make_unique<app::ConversationController>(&store, host.get(), &appSettings);
        window = std::make_unique<ui::MainWindow>(ui::MainWindowContext{&appSettings, controller.get(), &highlighting, std::nullopt});
    }

    // Loads a placeholder model folder through the fake backend; true once it is ready.
    bool loadModel(const app::FakeChatScript& script = {})
    {
        if (fake) {
            fake->setScript(script);
        }
        QSignalSpy loaded(host.get(), &app::ModelHost::loaded);
        host->loadModel(makeModelFolder(root));
        return loaded.wait(10000);
    }

    bool waitUntilIdle(int timeoutMs = 20000)
    {
        return QTest::qWaitFor([this] { return !controller->isGenerating(); }, timeoutMs);
    }

    QTemporaryDir dir;
    QString root;
    QSettings settings;
    app::AppSettings appSettings;
    app::ConversationStore store;
    ui::CodeHighlighting highlighting;
    app::FakeChatBackend* fake = nullptr;
    std::unique_ptr<app::ModelHost> host;
    std::unique_ptr<app::ConversationController> controller; // destroyed before the host it uses
    std::unique_ptr<ui::MainWindow> window;
};

} // namespace vora::tests
