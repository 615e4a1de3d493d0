#include "app/models/recent_models_model.h"

#include <QDir>
#include <QFileInfo>

namespace vora::app {
namespace {
const char* const kSettingsKey = "models/recent";
}

RecentModelsModel::RecentModelsModel(QSettings* settings, QObject* parent)
    : QAbstractListModel(parent)
    , m_settings(settings)
{
    const QStringList stored = m_settings->value(kSettingsKey).toStringList();
    for (const QString& path : stored) {
        const QString clean = QDir::cleanPath(path);
        if (!clean.isEmpty() && !m_paths.contains(clean) && m_paths.size() < kMaxEntries) {
            m_paths.append(clean);
        }
    }
}

int RecentModelsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_paths.size());
}

QVariant RecentModelsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const QString& path = m_paths.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return QFileInfo(path).fileName();
    case Qt::ToolTipRole:
    case PathRole: return path;
    case ExistsRole: return QFileInfo(path).isDir();
    default: return {};
    }
}

QHash<int, QByteArray> RecentModelsModel::roleNames() const
{
    return {{PathRole, "path"}, {NameRole, "name"}, {ExistsRole, "exists"}};
}

void RecentModelsModel::touch(const QString& path)
{
    const QString clean = QDir::cleanPath(path);
    if (clean.isEmpty()) {
        return;
    }
    beginResetModel();
    m_paths.removeAll(clean);
    m_paths.prepend(clean);
    while (m_paths.size() > kMaxEntries) {
        m_paths.removeLast();
    }
    endResetModel();
    save();
}

void RecentModelsModel::remove(const QString& path)
{
    const auto row = m_paths.indexOf(QDir::cleanPath(path));
    if (row < 0) {
        return;
    }
    beginRemoveRows({}, static_cast<int>(row), static_cast<int>(row));
    m_paths.removeAt(row);
    endRemoveRows();
    save();
}

void RecentModelsModel::save()
{
    m_settings->setValue(kSettingsKey, m_paths);
}

} // namespace vora::app
