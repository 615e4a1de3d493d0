#pragma once
// Prepared-statement helper for the store: binds positional values, executes, throws StoreError.
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

#include <initializer_list>

namespace vora::app {

QSqlQuery runQuery(const QSqlDatabase& database, const QString& statement, std::initializer_list<QVariant> values = {});

} // namespace vora::app
