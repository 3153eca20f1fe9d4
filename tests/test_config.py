import copy
import pickle

import pytest

from dagflow.config import Config
from dagflow.expr import V


class TestConstruction:
    def test_paths_in_keys_are_nested(self):
        assert Config({'a/b': 1, 'a/c': 2}) == {'a': {'b': 1, 'c': 2}}
        assert Config({'a': {'b/c': 1}})['a'] == {'b': {'c': 1}}

    def test_kwargs_pairs_and_configs(self):
        assert Config(a=1) == {'a': 1}
        assert Config([('a/b', 1), ('c', 2)]) == {'a': {'b': 1}, 'c': 2}
        assert Config(Config(a={'b': 1}), x=2) == {'a': {'b': 1}, 'x': 2}
        assert Config() == {}
        assert len(Config({'a/b': 1, 'c': 2})) == 2

    def test_nested_dicts_are_owned(self):
        inner = {'b': 1}
        cfg = Config({'a': inner})
        cfg['a/b'] = 2
        assert inner == {'b': 1}

    def test_non_string_keys_are_kept(self):
        key = V('shape_name')
        cfg = Config({key: 1, 3: 'three'})
        assert cfg[key] == 1
        assert cfg[3] == 'three'
        assert key in cfg


class TestAccess:
    def test_getitem(self):
        cfg = Config({'a': {'b': {'c': 1}}})
        assert cfg['a/b/c'] == 1
        assert cfg['a/b'] == {'c': 1}
        assert cfg['a']['b']['c'] == 1

    def test_missing_key_names_the_path_and_close_matches(self):
        cfg = Config({'model': {'lr': 0.1, 'depth': 3}})
        with pytest.raises(KeyError, match=r"'model/lrr' is not in the config. Did you mean 'model/lr'"):
            _ = cfg['model/lrr']
        with pytest.raises(KeyError, match=r"'modl' is not in the config. Did you mean 'model'"):
            _ = cfg['modl']
        with pytest.raises(KeyError, match=r"'model/lr/x' is not in the config"):
            _ = cfg['model/lr/x']
        with pytest.raises(KeyError, match=r"'zzz' is not in the config\.[^D]*$"):
            _ = cfg['zzz']

    def test_get(self):
        cfg = Config({'a': {'b': 1}})
        assert cfg.get('a/b') == 1
        assert cfg.get('a/x') is None
        assert cfg.get('a/b/c', 'default') == 'default'
        assert cfg.get(['unhashable'], 0) == 0

    def test_contains(self):
        cfg = Config({'a': {'b': None}})
        assert 'a' in cfg
        assert 'a/b' in cfg
        assert 'a/c' not in cfg
        assert 'a/b/c' not in cfg
        assert [1] not in cfg

    def test_setitem_creates_nesting(self):
        cfg = Config()
        cfg['x/y'] = 2
        cfg['x/z'] = {'w/v': 3}
        assert cfg == {'x': {'y': 2, 'z': {'w': {'v': 3}}}}
        cfg['x'] = 1
        assert cfg == {'x': 1}

    def test_setitem_through_a_value_is_refused(self):
        cfg = Config({'a': 1})
        with pytest.raises(TypeError, match=r"Cannot set 'a/b': 'a' holds a int, not a dict"):
            cfg['a/b'] = 2

    def test_delete_and_pop(self):
        cfg = Config({'a': {'b': 1, 'c': 2}})
        del cfg['a/b']
        assert cfg == {'a': {'c': 2}}
        assert cfg.pop('a/c') == 2
        assert cfg.pop('a/c', 'gone') == 'gone'
        with pytest.raises(KeyError, match="'a/x' is not in the config"):
            del cfg['a/x']

    def test_keys_items_values_are_top_level(self):
        cfg = Config({'a/b': 1, 'c': 2})
        assert list(cfg.keys()) == ['a', 'c']
        assert list(cfg.items()) == [('a', {'b': 1}), ('c', 2)]
        assert list(cfg.values()) == [{'b': 1}, 2]
        assert list(cfg) == ['a', 'c']

    def test_flatten(self):
        cfg = Config({'a': {'b': 1, 'c': {'d': 2}, 'e': {}}, 'f': 3, 4: {'g': 5}, 'h': {1: 'x'}})
        assert cfg.flatten() == {'a/b': 1, 'a/c/d': 2, 'a/e': {}, 'f': 3, 4: {'g': 5}, 'h': {1: 'x'}}


class TestMerging:
    def test_update_deep_merges(self):
        cfg = Config({'model': {'lr': 0.1, 'depth': 3}, 'epochs': 1})
        cfg.update({'model': {'lr': 0.01}, 'model/act': 'relu'}, epochs=2)
        assert cfg == {'model': {'lr': 0.01, 'depth': 3, 'act': 'relu'}, 'epochs': 2}

    def test_update_replaces_values_with_dicts_and_back(self):
        cfg = Config({'a': 1, 'b': {'c': 1}})
        cfg.update({'a/x': 2, 'b': 5})
        assert cfg == {'a': {'x': 2}, 'b': 5}

    def test_update_copies_dicts(self):
        source = {'a': {'b': 1}}
        cfg = Config()
        cfg.update(source)
        cfg['a/b'] = 2
        assert source == {'a': {'b': 1}}

    def test_add_makes_a_new_config(self):
        left = Config({'a': {'b': 1}})
        result = left + {'a/c': 2}
        assert isinstance(result, Config)
        assert result == {'a': {'b': 1, 'c': 2}}
        assert left == {'a': {'b': 1}}
        assert ({'a': {'d': 0}} + left) == {'a': {'d': 0, 'b': 1}}
        assert isinstance({'x': 1} + left, Config)

    def test_add_refuses_non_mappings(self):
        with pytest.raises(TypeError):
            _ = Config() + 1
        with pytest.raises(TypeError):
            _ = [1] + Config()


class TestValueBehaviour:
    def test_equality(self):
        assert Config({'a/b': 1}) == Config({'a': {'b': 1}})
        assert Config({'a/b': 1}) == {'a/b': 1}
        assert Config({'a/b': 1}) != {'a': {'b': 2}}
        assert Config(a=1) != [('a', 1)]

    def test_unhashable(self):
        with pytest.raises(TypeError):
            hash(Config())

    def test_repr(self):
        assert repr(Config({'a/b': 1})) == "Config({'a': {'b': 1}})"
        assert repr(Config()) == 'Config({})'

    def test_copy_is_independent_but_shares_leaves(self):
        leaf = [1]
        cfg = Config({'a': {'b': leaf}})
        clone = cfg.copy()
        clone['a/c'] = 2
        assert 'a/c' not in cfg
        assert clone['a/b'] is leaf

    @pytest.mark.parametrize('dump', [lambda c: pickle.loads(pickle.dumps(c)), copy.deepcopy, copy.copy])
    def test_pickle_and_copy(self, dump):
        cfg = Config({'a': {'b': [1, 2]}, 'c': 3})
        clone = dump(cfg)
        assert isinstance(clone, Config)
        assert clone == cfg
        clone['a/x'] = 1
        assert 'a/x' not in cfg
