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

    @pytest.mark.parametrize('make', [lambda: Config({3: 'three'}), lambda: Config({V('shape_name'): 1}),
                                      lambda: Config([(3, 'x')]), lambda: Config(a={'b': 1, 2: 'x'}),
                                      lambda: Config().__setitem__(3, 'x'), lambda: Config()[3],
                                      lambda: Config().put(3, 'x'), lambda: Config().get(3)])
    def test_non_string_keys_are_refused(self, make):
        with pytest.raises(TypeError, match='Config keys are strings'):
            make()

    def test_a_dict_keyed_by_non_strings_is_a_value(self):
        cfg = Config({'classes': {0: 'cat', 1: 'dog'}})
        assert cfg['classes'] == {0: 'cat', 1: 'dog'} and type(cfg['classes']) is dict
        assert cfg.flatten() == {'classes': {0: 'cat', 1: 'dog'}}
        assert 3 not in cfg and 'classes/0' not in cfg
        with pytest.raises(TypeError, match="'classes' holds a dict keyed by non-strings"):
            cfg['classes/2'] = 'bird'

    def test_repeated_and_outer_slashes_are_ignored(self):
        assert Config({'a//b/': 1}) == {'a': {'b': 1}}
        assert Config({'a': 1})['/a'] == 1
        with pytest.raises(KeyError, match="'/' is not a config key"):
            Config()['/'] = 1

    def test_bad_content_is_refused(self):
        with pytest.raises(TypeError, match='from a dict, a Config or'):
            Config(5)
        with pytest.raises(ValueError, match=r'needs \(key, value\) pairs'):
            Config([('a', 1, 2)])


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
        assert cfg.get(['a/b', 'x'], 0) == (1, 0)

    def test_contains(self):
        cfg = Config({'a': {'b': None}})
        assert 'a' in cfg
        assert 'a/b' in cfg
        assert 'a/c' not in cfg
        assert 'a/b/c' not in cfg
        assert [1] not in cfg
        assert '' not in cfg

    def test_setitem_creates_nesting(self):
        cfg = Config()
        cfg['x/y'] = 2
        cfg['x/z'] = {'w/v': 3}
        assert cfg == {'x': {'y': 2, 'z': {'w': {'v': 3}}}}
        cfg['x'] = 1
        assert cfg == {'x': 1}

    def test_setitem_through_a_value_is_refused(self):
        cfg = Config({'a': 1})
        with pytest.raises(TypeError, match=r"Cannot set 'a/b': 'a' holds a int, not a level"):
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
        cfg = Config({'a': {'b': 1, 'c': {'d': 2}, 'e': {}}, 'f': 3, 'h': {1: 'x'}})
        assert cfg.flatten() == {'a/b': 1, 'a/c/d': 2, 'a/e': {}, 'f': 3, 'h': {1: 'x'}}
        assert cfg.flatten({'x': {'y': 1}}) == {'x/y': 1}


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


class TestBatchFlowAPI:
    """Config as BatchFlow's docstrings describe it."""

    def test_config_is_the_nested_dict(self):
        cfg = Config({'a/b': 1, 'c': 2})
        assert cfg.config == {'a': {'b': 1}, 'c': 2} and type(cfg.config) is dict
        cfg.config['c'] = 3
        assert cfg['c'] == 3

    def test_dotted_access(self):
        cfg = Config({'model': {'optimizer': {'lr': 0.1}}, 'epochs': 3})
        assert cfg.model.optimizer.lr == 0.1
        assert cfg.epochs == 3
        assert isinstance(cfg.model, Config) and cfg.model == {'optimizer': {'lr': 0.1}}
        assert callable(cfg.keys)   # methods come first
        with pytest.raises(AttributeError, match="'epoch' is not in the config.*Did you mean 'epochs'"):
            _ = cfg.epoch
        with pytest.raises(AttributeError, match=r"config\['epochs'\] = \.\.\."):
            cfg.epochs = 4

    def test_a_nested_level_writes_through(self):
        cfg = Config({'a': {'b': 1}})
        cfg['a']['c'] = 2
        cfg.a['d/e'] = 3
        assert cfg == {'a': {'b': 1, 'c': 2, 'd': {'e': 3}}}
        assert cfg['a']['d/e'] == 3

    def test_iadd_merges_into_the_nested_level(self):
        cfg = Config({'a': {'b': 1, 'c': {'d': 1}}, 'x': 0})
        cfg['a'] += dict(b=2, e=3)
        cfg['a'] += {'c/f': 4}
        assert cfg.config == {'a': {'b': 2, 'c': {'d': 1, 'f': 4}, 'e': 3}, 'x': 0}

    def test_writes_through_a_level_are_told_to_the_hook(self):
        cfg = Config({'a': {'b': 1}})
        seen = []
        cfg._on_write = seen.append
        cfg.a['b'] = 2
        cfg['a'] += {'c': 3}
        cfg.put('a', {'d': 4})
        assert seen == ['a/b', 'a', 'a/d']

    def test_put_merges_dicts_and_replaces_values(self):
        cfg = Config({'model': {'lr': 0.1}, 'n': 1})
        cfg.put('model', {'depth': 3, 'opt/name': 'adam'})
        cfg.put('n', {'x': 1})
        cfg.put('/new/key/', 5)
        assert cfg == {'model': {'lr': 0.1, 'depth': 3, 'opt': {'name': 'adam'}}, 'n': {'x': 1}, 'new': {'key': 5}}
        other = {'a': {'x': 1}}
        cfg.put('a', {'y': 2}, config=other)
        assert other == {'a': {'x': 1, 'y': 2}} and 'a' not in cfg   # config=: put into that dict instead

    @pytest.mark.parametrize('method, flat, top', [
        ('keys', ['a/b', 'a/c/d', 'e'], ['a', 'e']),
        ('values', [1, 2, 3], [{'b': 1, 'c': {'d': 2}}, 3]),
        ('items', [('a/b', 1), ('a/c/d', 2), ('e', 3)], [('a', {'b': 1, 'c': {'d': 2}}), ('e', 3)]),
    ])
    def test_keys_values_items_flatten(self, method, flat, top):
        cfg = Config({'a': {'b': 1, 'c': {'d': 2}}, 'e': 3})
        assert list(getattr(cfg, method)(flatten=True)) == flat
        assert list(getattr(cfg, method)()) == top

    def test_get_and_pop_several_keys_and_another_config(self):
        cfg = Config({'a': {'b': 1, 'c': 2}, 'd': 3})
        assert cfg.get(('a/b', 'd')) == (1, 3)
        assert cfg.get('x', config={'x': 5}) == 5
        assert cfg.pop(['a/b', 'zz'], default=None) == (1, None)
        other = {'d': 4, 'e': 5}
        assert cfg.pop('a') == {'c': 2} and cfg.pop('d', config=other) == 4
        assert cfg == {'d': 3} and other == {'e': 5}
        with pytest.raises(KeyError, match="'zz' is not in the config"):
            cfg.pop('zz')

    def test_a_config_made_from_a_config_shares_it(self):
        cfg = Config({'a': 1})
        shared = Config(cfg, b=2)
        assert cfg == {'a': 1, 'b': 2} and shared.config is cfg.config
        assert cfg.copy().config is not cfg.config

    def test_parse(self):
        assert Config.parse([('a/b', 1), ('a/c', 2)]) == {'a': {'b': 1, 'c': 2}}

    def test_config_shifted_into_a_pipeline(self):
        from dagflow import Pipeline
        pipeline = Config({'lr': 0.1}) >> Pipeline(config={'epochs': 2})
        assert pipeline.config == {'lr': 0.1, 'epochs': 2}
