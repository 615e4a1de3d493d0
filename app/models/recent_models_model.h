#pragma once
// The list of model folders the user opened, most recent first, persisted in QSettings.
// GUI thread only (it is an item model).
#include <QAbstractListModel>
#include <QSettings>
#include <QStringList>

namespace vora::app {

class RecentModelsModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { PathRole = Qt::UserRole + 1, NameRole, ExistsRole };
    static constexpr int kMaxEntries = 10;

    // settings must outlive the model.
    explicit RecentModelsModel(QSettings* settings, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QStringList paths() const { return m_paths; }
    // Moves path to the front (adding it when new) and trims the list to kMaxEntries.
    void touch(const QString& path);
    void remove(const QString& path);

private:
    void save();

    QSettings* m_settings;
    QStringList m_paths;
};

} // namespace vora::app
